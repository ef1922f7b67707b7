#!lua
--[[
replay-dead-letter-2: put one dead letter back on the events stream and delete it, atomically.

KEYS[1]  dead-letter stream  ddup:{sNN}:dead
KEYS[2]  events stream       ddup:{sNN}:events   (same hash tag, so one cluster slot)
ARGV[1]  dead entry id

Only the original fields go back (`source_id`, `reason` and `deliveries` are dropped); the seen
key is not touched, since the event was admitted once already.

Returns
  {1, <new events entry id>}  replayed
  {0, ''}                     no such dead letter (already replayed or deleted)
]]
local entries = redis.call('XRANGE', KEYS[1], ARGV[1], ARGV[1])
if not entries[1] then
  return {0, ''}
end
local fields = {}
local flat = entries[1][2]
for i = 1, #flat, 2 do
  local name = flat[i]
  if name ~= 'source_id' and name ~= 'reason' and name ~= 'deliveries' then
    table.insert(fields, name)
    table.insert(fields, flat[i + 1])
  end
end
if #fields == 0 then
  fields = {'replayed_from', ARGV[1]}
end
local id = redis.call('XADD', KEYS[2], '*', unpack(fields))
redis.call('XDEL', KEYS[1], ARGV[1])
return {1, id}
