#!lua
--[[
admit-batch-var: admit a batch of events of one shard, each unless its hash was seen within the
dedup window. `var`: the number of keys varies with the batch (1 + the number of events), so it is
not part of the file name; EVALSHA's numkeys says how many there are.

KEYS[1]      stream     ddup:{sNN}:events
KEYS[1 + i]  seen key   ddup:{sNN}:seen:<hash of event i>, i = 1..n    (all with the same hash tag
                        {sNN}, so one cluster slot)
ARGV[1]      window in seconds (the seen keys' TTL)
ARGV[2 * i]      hash of event i (hex SHA-256 of its canonical form)
ARGV[2 * i + 1]  event i (canonical JSON)

Returns a flat array of two elements per event, in the order of the keys:
  1, <stream entry id>   event i admitted: appended, and its seen key created as 'pending'
  0, <state>             event i is a duplicate: its seen key exists ('pending' or 'processed')

Events are admitted one after the other, each exactly as admit-2.lua admits one: GET, then XADD
before SET EX (a failure can never leave a seen key without its stream entry). So an event whose
hash repeats an earlier one of the same call finds the seen key that one just created and comes
back 0, 'pending'. The script stops at the first error; events admitted before it stay admitted
(Redis does not roll scripts back), and a retry of the batch finds them as duplicates. The shebang
makes Redis refuse the whole script up front when it is out of memory, instead of failing halfway.
]]
local n = #KEYS - 1
if n < 0 or #ARGV ~= 2 * n + 1 then
  return redis.error_reply('ERR admit-batch-var: expected 1 + n keys and 1 + 2n arguments')
end
local stream = KEYS[1]
local window = ARGV[1]
local reply = {}
for i = 1, n do
  local seen = KEYS[i + 1]
  local state = redis.call('GET', seen)
  if state then
    reply[2 * i - 1] = 0
    reply[2 * i] = state
  else
    reply[2 * i - 1] = 1
    reply[2 * i] = redis.call('XADD', stream, '*', 'hash', ARGV[2 * i], 'event', ARGV[2 * i + 1])
    redis.call('SET', seen, 'pending', 'EX', window)
  end
end
return reply
