#!lua
--[[
forget-1: make the index forget one event hash, so the next identical event is accepted.

KEYS[1]  index bucket  ddup:{sNN}:ix:<bucket>
ARGV[1]  fingerprint: bytes 8..19 of the hash, binary

Returns the number of records removed (0 or more: every record of the hash, live or expired; a
sliding window's companions go too, uncounted).
The bucket is rewritten without them and keeps its expiry (and the header that records it).
]]
--- @include "includes/index.lua"
local bucket = redis.call('GET', KEYS[1])
if not bucket then
  return 0
end
local used = usedSlots(bucket)
local kept = {string.sub(bucket, 1, HEADER)}
local removed = 0
local companion = string.reverse(string.sub(ARGV[1], 1, 8))
for slot = 0, used - 1 do
  local record = string.sub(bucket, HEADER + slot * RECORD + 1, HEADER + (slot + 1) * RECORD)
  local own = string.sub(record, 1, FINGERPRINT) == ARGV[1]
  if own then removed = removed + 1 end
  if not own and string.sub(record, 1, 8) ~= companion then kept[#kept + 1] = record end
end
if removed > 0 then
  local body = table.concat(kept)
  redis.call('SET', KEYS[1], body .. string.rep('\0', #bucket - #body), 'KEEPTTL')
end
return removed
