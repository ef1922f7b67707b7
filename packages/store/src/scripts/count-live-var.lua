#!lua flags=no-writes
--[[
count-live-var: how many events a sample of one shard's index buckets remembers (for the
bytes-per-remembered-event estimate of the dashboard and `ddup inspect`; never on the hot path).

KEYS[1..n]  index buckets of one shard, of any dedup spaces  ddup:{sNN}:[t:<tenant>:]ix:<bucket>
            (one hash tag: one cluster slot)
ARGV[i]     the window in seconds of KEYS[i]'s space (ARGV[1] for every key when only one is given)

Returns the number of records still within their window, over all the buckets given.
]]
--- @include "includes/index.lua"
local now = nowMs()
local second = math.floor(now / 1000)
local live = 0
for k, key in ipairs(KEYS) do
  local windowMs = tonumber(ARGV[k] or ARGV[1]) * 1000
  local bucket = redis.call('GET', key) or ''
  local used = usedSlots(bucket)
  -- The first record still within the window (binary search: they expire in order).
  local lo, hi = 0, used
  while lo < hi do
    local mid = math.floor((lo + hi) / 2)
    if ((recordAt(bucket, mid, second)) + 1) * 1000 + windowMs > now then hi = mid else lo = mid + 1 end
  end
  live = live + used - lo
end
return live
