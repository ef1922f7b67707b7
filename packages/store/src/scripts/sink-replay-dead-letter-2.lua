#!lua
--[[
sink-replay-dead-letter-2: move one of a sink's dead letters to that sink's replay stream, atomically.

KEYS[1]  the sink's dead-letter stream  ddup:{sNN}:dead:<sink>
KEYS[2]  the sink's replay stream       ddup:{sNN}:replay:<sink>   (same hash tag, so one cluster slot)
ARGV[1]  dead letter id

The replayed entry holds the letter's original fields (`hash`, `event`, `tenant`) and `origin_id`:
the events stream entry it first came from (the letter's own `origin_id` when it was itself a replay,
else its `source_id`), whose time is the event's first-seen time. `reason` and `deliveries` are dropped.

Returns
  {1, <replay entry id>}  moved
  {0, ''}                 no such letter (replayed meanwhile)
]]
local entries = redis.call('XRANGE', KEYS[1], ARGV[1], ARGV[1])
if not entries[1] then
  return {0, ''}
end
local fields = {}
local source = nil
local origin = nil
local flat = entries[1][2]
for i = 1, #flat, 2 do
  local name = flat[i]
  if name == 'source_id' then
    source = flat[i + 1]
  elseif name == 'origin_id' then
    origin = flat[i + 1]
  elseif name ~= 'reason' and name ~= 'deliveries' then
    table.insert(fields, name)
    table.insert(fields, flat[i + 1])
  end
end
table.insert(fields, 'origin_id')
table.insert(fields, origin or source or ARGV[1])
local id = redis.call('XADD', KEYS[2], '*', unpack(fields))
redis.call('XDEL', KEYS[1], ARGV[1])
return {1, id}
