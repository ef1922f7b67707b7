#!lua
--[[
per-key-admit-2 (the comparator; ddup before the compact index): admit one event unless its hash was seen within the dedup window.

KEYS[1]  seen key   ddup:{sNN}:seen:<hash>
KEYS[2]  stream     ddup:{sNN}:events        (same hash tag, so one cluster slot)
ARGV[1]  window in seconds (the seen key's TTL)
ARGV[2]  hash (hex SHA-256 of the canonical event)
ARGV[3]  event (canonical JSON)

Returns
  {1, <stream entry id>}   admitted: the entry was appended and the seen key created as 'pending'
  {0, <state>}             duplicate: the seen key exists; <state> is 'pending' or 'processed'

XADD runs before SET so that a failure can never leave a seen key without its stream entry (which
would turn every retry of a lost event into a 409). The shebang makes Redis refuse the whole script
up front when it is out of memory, instead of failing halfway.
]]
local state = redis.call('GET', KEYS[1])
if state then
  return {0, state}
end
local id = redis.call('XADD', KEYS[2], '*', 'hash', ARGV[2], 'event', ARGV[3])
redis.call('SET', KEYS[1], 'pending', 'EX', ARGV[1])
return {1, id}
