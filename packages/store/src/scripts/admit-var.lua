#!lua
--[[
admit-var: admit one event unless the index remembers its hash within the dedup window.
`var`: 2 keys, or 3 with SEED_LEGACY_KEYS.

KEYS[1]  index bucket  ddup:{sNN}:ix:<bucket>   (see includes/index.lua)
KEYS[2]  stream        ddup:{sNN}:events        (same hash tag, so one cluster slot)
KEYS[3]  optional: the Python service's key, the bare 64-hex hash (one node only)
ARGV[1]  window in seconds
ARGV[2]  hash (hex SHA-256 of the canonical event)
ARGV[3]  fingerprint: bytes 8..19 of the hash, binary
ARGV[4]  event (canonical JSON)
ARGV[5]  tenant: '' for the default space; else written to the entry as its `tenant` field
ARGV[6]  '1': a duplicate restarts its window (the tenant's refresh_on_duplicate), '0': it does not

Returns
  {1, <stream entry id>}                 admitted: appended to the stream, recorded as pending
  {0, <state>, <first seen, Unix ms>}    duplicate: <state> is 'pending' or 'processed'; first
                                         seen is the start of its second, or -1 for a key of the
                                         Python service (its time is unknown)

XADD runs before the record is written, so a failure can never leave a remembered event without
its stream entry (which would turn every retry of a lost event into a 409). The shebang makes Redis
refuse the whole script up front when it is out of memory, instead of failing halfway.
]]
--- @include "includes/index.lua"
local windowMs = tonumber(ARGV[1]) * 1000
local bucket, slot, second, state, live = findEvent(KEYS[1], ARGV[3], windowMs)
if live then
  if ARGV[6] == '1' then refreshEvent(KEYS[1], bucket, ARGV[3], slot, second, state, nowMs(), windowMs) end
  return {0, STATES[state], second * 1000}
end
if KEYS[3] and redis.call('EXISTS', KEYS[3]) == 1 then
  return {0, 'processed', -1}
end
local id
if ARGV[5] == '' then
  id = redis.call('XADD', KEYS[2], '*', 'hash', ARGV[2], 'event', ARGV[4])
else
  id = redis.call('XADD', KEYS[2], '*', 'hash', ARGV[2], 'event', ARGV[4], 'tenant', ARGV[5])
end
-- The entry's own time is now (or, if Redis's clock stepped back, the stream's later time).
insertEvent(KEYS[1], bucket, ARGV[3], tonumber(string.match(id, '^(%d+)')), windowMs)
return {1, id}
