--[[
confirm-batch-var: confirm a batch of entries of one shard's events stream in one call: mark each
event's index record processed, then acknowledge the entries. `var`: 1 + n keys.

KEYS[1]      stream         ddup:{sNN}:events
KEYS[1 + i]  index bucket   ddup:{sNN}:[t:<tenant>:]ix:<bucket of event i>, i = 1..n   (same hash tag)
ARGV[1]      consumer group
ARGV[2i]     fingerprint of event i: bytes 8..19 of its hash, binary
ARGV[2i + 1] the latest time (Unix ms) event i's record may have been written to be marked: its
             stream entry's id (or its time); '+' before it for a tenant whose duplicates refresh
             the window
ARGV[2n + 2 ...]  ids of the entries to acknowledge (those of the events, and any others)

Returns the number of entries acknowledged (XACK's count).

The record marked is the newest record of the hash, if it was written no later than the entry's
second: a late redelivery of an entry whose window has passed never marks a newer admission of the
same event. (Marking a record already out of the window is harmless: no lookup counts it, and it
needs no window argument, which differs per tenant.) Under refresh_on_duplicate a duplicate moves
the record on in time, so there the second compared is its admission's, which its companion keeps
(see refreshEvent): a refreshed record is marked by its own entry however late, a newer admission
of the same event never. Marking twice changes nothing.
]]
--- @include "includes/index.lua"
local n = #KEYS - 1
if n < 0 or #ARGV < 2 * n + 1 then
  return redis.error_reply('ERR confirm-batch-var: expected 1 + n keys and at least 1 + 2n arguments')
end
local nowSecond = math.floor(nowMs() / 1000)
for i = 1, n do
  local bucket = redis.call('GET', KEYS[1 + i]) or ''
  local slot = slotOf(bucket, ARGV[2 * i])
  if slot then
    local latest = ARGV[2 * i + 1]
    local second = recordAt(bucket, slot, nowSecond)
    if string.sub(latest, 1, 1) == '+' then second = companionAt(bucket, slot, ARGV[2 * i]) or second end
    if second <= math.floor(tonumber(string.match(latest, '(%d+)')) / 1000) then
      markProcessed(KEYS[1 + i], bucket, slot)
    end
  end
end
local acked = 0
local chunk = 1000
for from = 2 * n + 2, #ARGV, chunk do
  acked = acked + redis.call('XACK', KEYS[1], ARGV[1], unpack(ARGV, from, math.min(from + chunk - 1, #ARGV)))
end
return acked
