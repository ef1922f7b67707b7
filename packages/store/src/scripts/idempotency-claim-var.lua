#!lua
--[[
idempotency-claim-var: note the content an Idempotency-Key comes with, the first time it comes,
within the tenant's quota of keys if it has one. `var`: 1 key, or 2 with a quota.

KEYS[1]  the key's record  ddup:{sNN}:[t:<tenant>:]ik:<SHA-256 of the key>
KEYS[2]  optional: the tenant's count of keys noted on this shard  ddup:{sNN}:t:<tenant>:ik-count
         (same hash tag): a hash of slot (an eighth of the window) -> keys noted in it
ARGV[1]  fingerprint of the request's content (hex SHA-256)
ARGV[2]  how long to keep it, in ms (the tenant's window)
ARGV[3]  with KEYS[2]: how many keys the tenant may hold on this shard

Returns {answer, retry after ms}:
  {'new', 0}          first use: the content is kept for the window
  {'same', 0}         used before with this content
  {'different', 0}    used before with other content (the client reused a key: 422)
  {'over_quota', ms}  a new key, refused: the tenant holds its quota of keys here; the next one
                      frees in `ms` (its eighth of the window has passed the window)

A key lives exactly the window, so the keys a tenant holds are those noted in the last window:
counted in eight slots of an eighth each (plus the current one), a slot dropped once all its keys
have expired. A slot partly expired still counts whole, so the count errs high by at most an
eighth of the window's keys: a tenant is refused a little early, never late.

This only guards the key. Admission still deduplicates the content afterwards, atomically, so a
'same' request whose first attempt never got its event stored (a crash, a 503) is admitted now,
and one whose first attempt was stored gets the usual 409. The key's record lives in the key's own
shard, the event's in the event's: two slots on a cluster, which is why they are two steps.
]]
local seen = redis.call('GET', KEYS[1])
if seen then
  if seen == ARGV[1] then return {'same', 0} end
  return {'different', 0}
end
local windowMs = tonumber(ARGV[2])
if KEYS[2] then
  local slotMs = windowMs / 8
  local time = redis.call('TIME')
  local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
  local current = math.floor(now / slotMs)
  local counts = redis.call('HGETALL', KEYS[2])
  local held, oldest = 0, nil
  for i = 1, #counts, 2 do
    local slot = tonumber(counts[i])
    -- Every key noted in slot k has expired by (k + 1) * slotMs + window = (k + 9) * slotMs.
    if slot + 9 <= current then
      redis.call('HDEL', KEYS[2], counts[i])
    else
      held = held + tonumber(counts[i + 1])
      if not oldest or slot < oldest then oldest = slot end
    end
  end
  if held >= tonumber(ARGV[3]) then
    return {'over_quota', math.max(1, math.ceil((oldest + 9) * slotMs - now))}
  end
  redis.call('HINCRBY', KEYS[2], current, 1)
  redis.call('PEXPIRE', KEYS[2], math.ceil(windowMs + 2 * slotMs))
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', windowMs)
return {'new', 0}
