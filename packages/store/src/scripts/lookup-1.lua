#!lua flags=no-writes
--[[
lookup-1: what the index remembers of one event hash.

KEYS[1]  index bucket  ddup:{sNN}:ix:<bucket>
ARGV[1]  window in seconds
ARGV[2]  fingerprint: bytes 8..19 of the hash, binary

Returns
  {1, <state>, <first seen, Unix ms>, <expires, Unix ms>}   remembered, within the window
  {0}                                                       not remembered
]]
--- @include "includes/index.lua"
local windowMs = tonumber(ARGV[1]) * 1000
local bucket, slot, second, state, live = findEvent(KEYS[1], ARGV[2], windowMs)
if not live then
  return {0}
end
return {1, STATES[state], second * 1000, (second + 1) * 1000 + windowMs}
