#!lua
--[[
rate-limit-1: take tokens from a tenant's token bucket, by Redis's clock, so that every gateway
replica draws on one bucket.

KEYS[1]  the bucket  ddup:rate:{t:<tenant>}   (a hash: tokens, at)
ARGV[1]  rate: tokens added per second
ARGV[2]  burst: most tokens the bucket holds (it starts full)
ARGV[3]  tokens wanted (1 for an event, the item count for a batch)

Returns
  {1, 0}               taken
  {0, <retry after ms>} not enough: how long until there would be

A request wanting more than the burst (a big batch) is let through from a full bucket and leaves
it in debt, so the rate still holds over time without refusing such a batch for ever.
]]
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local rate, burst, wanted = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or burst
local at = tonumber(state[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - at) * rate / 1000)
local needed = math.min(wanted, burst)
local allowed = 0
local retry = 0
if tokens >= needed then
  tokens = tokens - wanted
  allowed = 1
else
  retry = math.ceil((needed - tokens) * 1000 / rate)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
-- Once full again it needs no state: let it go then.
redis.call('PEXPIRE', KEYS[1], math.ceil((burst - math.min(tokens, 0) + burst) * 1000 / rate) + 1000)
return {allowed, retry}
