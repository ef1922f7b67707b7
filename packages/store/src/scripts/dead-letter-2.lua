#!lua
--[[
dead-letter-2: move one pending entry to the dead-letter stream and acknowledge it, atomically.

KEYS[1]  events stream       ddup:{sNN}:events
KEYS[2]  dead-letter stream  ddup:{sNN}:dead     (same hash tag, so one cluster slot)
ARGV[1]  consumer group      ddup-workers
ARGV[2]  entry id
ARGV[3]  reason
ARGV[4]  delivery count

The dead entry holds `source_id`, `reason`, `deliveries`, then the original fields (none when the
entry was deleted from the events stream meanwhile).

Returns
  {1, <dead entry id>}  moved and acknowledged
  {0, ''}               the entry was no longer pending (another consumer handled it)
]]
local pending = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[2], ARGV[2], 1)
if #pending == 0 then
  return {0, ''}
end
local fields = {'source_id', ARGV[2], 'reason', ARGV[3], 'deliveries', ARGV[4]}
local entries = redis.call('XRANGE', KEYS[1], ARGV[2], ARGV[2])
if entries[1] then
  for _, value in ipairs(entries[1][2]) do
    table.insert(fields, value)
  end
end
local id = redis.call('XADD', KEYS[2], '*', unpack(fields))
redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
return {1, id}
