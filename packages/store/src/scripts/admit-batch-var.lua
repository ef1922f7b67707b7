#!lua
--[[
admit-batch-var: admit a batch of events of one shard, each unless the index remembers its hash
within the dedup window. `var`: 1 + n keys, or 1 + 2n with SEED_LEGACY_KEYS.

KEYS[1]          stream         ddup:{sNN}:events
KEYS[1 + i]      index bucket   ddup:{sNN}:ix:<bucket of event i>, i = 1..n   (all with the hash
                                tag {sNN}, so one cluster slot)
KEYS[1 + n + i]  optional: the Python service's key of event i (one node only)
ARGV[1]          window in seconds
ARGV[2]          tenant: '' for the default space; else each entry's `tenant` field
ARGV[3]          '1': a duplicate restarts its window (refresh_on_duplicate), '0': it does not
ARGV[3i + 1]     hash of event i (hex SHA-256 of its canonical form)
ARGV[3i + 2]     fingerprint of event i: bytes 8..19 of its hash, binary
ARGV[3i + 3]     event i (canonical JSON)

Returns a flat array of three elements per event, in order:
  1, <stream entry id>, 0           event i admitted
  0, <state>, <first seen, ms>      event i is a duplicate (as admit-var.lua answers)

Each event is admitted exactly as admit-var.lua admits one (the same include), one after the
other, so an event whose hash repeats an earlier one of the call comes back 0, 'pending'. The
script stops at the first error; events admitted before it stay admitted (Redis does not roll
scripts back), and a retry of the batch finds them as duplicates. The shebang makes Redis refuse
the whole script up front when it is out of memory.
]]
--- @include "includes/index.lua"
local n = (#ARGV - 3) / 3
if n ~= math.floor(n) or (#KEYS ~= 1 + n and #KEYS ~= 1 + 2 * n) then
  return redis.error_reply('ERR admit-batch-var: expected 1 + n (or 1 + 2n) keys and 3 + 3n arguments')
end
local tenant, refresh = ARGV[2], ARGV[3] == '1'
local legacy = #KEYS == 1 + 2 * n
local windowMs = tonumber(ARGV[1]) * 1000
local reply = {}
for i = 1, n do
  local hash, fingerprint, event = ARGV[3 * i + 1], ARGV[3 * i + 2], ARGV[3 * i + 3]
  local bucket, slot, second, state, live = findEvent(KEYS[1 + i], fingerprint, windowMs)
  if live then
    if refresh then refreshEvent(KEYS[1 + i], bucket, fingerprint, slot, second, state, nowMs(), windowMs) end
    reply[#reply + 1], reply[#reply + 2], reply[#reply + 3] = 0, STATES[state], second * 1000
  elseif legacy and redis.call('EXISTS', KEYS[1 + n + i]) == 1 then
    reply[#reply + 1], reply[#reply + 2], reply[#reply + 3] = 0, 'processed', -1
  else
    local id
    if tenant == '' then
      id = redis.call('XADD', KEYS[1], '*', 'hash', hash, 'event', event)
    else
      id = redis.call('XADD', KEYS[1], '*', 'hash', hash, 'event', event, 'tenant', tenant)
    end
    insertEvent(KEYS[1 + i], bucket, fingerprint, tonumber(string.match(id, '^(%d+)')), windowMs)
    reply[#reply + 1], reply[#reply + 2], reply[#reply + 3] = 1, id, 0
  end
end
return reply
