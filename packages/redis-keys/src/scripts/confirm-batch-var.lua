--[[
confirm-batch-var: confirm a batch of entries of one shard's events stream in one call: mark each
event's seen key 'processed' until the end of its window, then acknowledge the entries. `var`: the
number of keys varies with the batch (1 + the number of seen keys).

KEYS[1]      stream     ddup:{sNN}:events
KEYS[1 + i]  seen key   ddup:{sNN}:seen:<hash>, i = 1..n     (same hash tag: one cluster slot)
ARGV[1]      consumer group
ARGV[1 + i]  absolute expiry of seen key i, Unix ms (entry time + window; the caller leaves out
             entries whose window has passed, which are only acknowledged, and the script skips
             any whose expiry is not in the future by Redis's own clock)
ARGV[n + 2 ...]  ids of the entries to acknowledge

Returns the number of entries acknowledged (XACK's count).

One call instead of n SETs and an XACK: the same commands run, in the same order, but the
consumer builds, sends and parses one command per batch. SET PXAT with an absolute time makes a
repeated confirmation change nothing. XACK goes in chunks, as Lua's unpack has a stack limit.
]]
local n = #KEYS - 1
if n < 0 or #ARGV < n + 1 then
  return redis.error_reply('ERR confirm-batch-var: expected 1 + n keys and at least 1 + n arguments')
end
-- Checked again against Redis's clock: SET PXAT with a past time would delete the key, and with it
-- the window of a newer admission of the same event (the consumer's clock may lag or skew).
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
for i = 1, n do
  if tonumber(ARGV[i + 1]) > now then
    redis.call('SET', KEYS[i + 1], 'processed', 'PXAT', ARGV[i + 1])
  end
end
local acked = 0
local chunk = 1000
for from = n + 2, #ARGV, chunk do
  acked = acked + redis.call('XACK', KEYS[1], ARGV[1], unpack(ARGV, from, math.min(from + chunk - 1, #ARGV)))
end
return acked
