#!lua
--[[
idempotency-claim-1: note the content an Idempotency-Key comes with, the first time it comes.

KEYS[1]  the key's record  ddup:{sNN}:[t:<tenant>:]ik:<SHA-256 of the key>
ARGV[1]  fingerprint of the request's content (hex SHA-256)
ARGV[2]  how long to keep it, in ms (the tenant's window)

Returns
  'new'        first use: the content is kept for the window
  'same'       used before with this content
  'different'  used before with other content (the client reused a key: 422)

This only guards the key. Admission still deduplicates the content afterwards, atomically, so a
'same' request whose first attempt never got its event stored (a crash, a 503) is admitted now,
and one whose first attempt was stored gets the usual 409. The key's record lives in the key's own
shard, the event's in the event's: two slots on a cluster, which is why they are two steps.
]]
local seen = redis.call('GET', KEYS[1])
if not seen then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 'new'
end
if seen == ARGV[1] then
  return 'same'
end
return 'different'
