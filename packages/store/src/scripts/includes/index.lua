--[[
The dedup index: packed records in one string per bucket (`ddup:{sNN}:ix:<bucket>`).

A bucket string is a 4-byte header, the Unix second its key expires at, then 16-byte records: a
12-byte fingerprint (bytes 8..19 of the SHA-256, which the caller passes as binary; the shard takes
bytes 0..3 and the bucket bytes 4..7) and a 4-byte big-endian word ((second mod 2^31-1) + 1) * 2 +
state, where second is the Unix second of the event's stream entry id and state is 0 (pending) or
1 (processed). The word is never zero, so the used records are a prefix and zero bytes after them
are free room. Records are appended in stream order: seconds never decrease along a bucket, and
the expired records are a prefix too.

An event accepted in second s is a duplicate until (s + 1) * 1000 + window ms: at least its first
acceptance + window, at most a second more. The key outlives its newest record by up to a
sixteenth of the window (at most an hour), so most inserts need no PEXPIREAT: only one whose
record would outlive the key moves its expiry (and the header) on.

Every function here is defined again at each call (a script keeps nothing between calls), so they
are few and the hot path (look up, append) keeps to a handful of C calls: this code runs on every
admission and is measured against the per-key script it replaced (`pnpm bench:index`).
]]
local HEADER = 4
local RECORD = 16
local FINGERPRINT = 12
-- Seconds are stored modulo this: an age below it (68 years) reads back unambiguously.
local SECONDS = 2147483647

-- Redis's own clock, in ms.
local function nowMs()
  local time = redis.call('TIME')
  return tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
end

-- Four bytes, big-endian.
local function uint32(n)
  return string.char(math.floor(n / 16777216), math.floor(n / 65536) % 256, math.floor(n / 256) % 256, n % 256)
end

-- The newest record of `fingerprint` in `bucket`: its slot (0-based), or nil. A match counts only
-- at a record boundary and with a non-zero word (free room is zeros).
local function slotOf(bucket, fingerprint)
  local found
  local from = 1
  while true do
    local at = string.find(bucket, fingerprint, from, true)
    if not at then return found end
    if at > HEADER and (at - 1 - HEADER) % RECORD == 0 then
      local a, b, c, d = string.byte(bucket, at + FINGERPRINT, at + FINGERPRINT + 3)
      if a + b + c + d > 0 then found = (at - 1 - HEADER) / RECORD end
    end
    from = at + 1
  end
end

-- Second and state of the record in `slot`, its second read back near `nowSecond`.
local function recordAt(bucket, slot, nowSecond)
  local at = HEADER + slot * RECORD + FINGERPRINT + 1
  local a, b, c, d = string.byte(bucket, at, at + 3)
  local word = ((a * 256 + b) * 256 + c) * 256 + d
  local state = word % 2
  local stored = (word - state) / 2 - 1
  return nowSecond - ((nowSecond - stored) % SECONDS), state
end

--[[
What the bucket at `key` holds of `fingerprint`: bucket, slot, second, state, live. Slot is nil
when it holds no record of it; live tells whether that record is still within the window, by
Redis's clock (read only then: most events are new).
]]
local function findEvent(key, fingerprint, windowMs)
  local bucket = redis.call('GET', key) or ''
  local slot = slotOf(bucket, fingerprint)
  if not slot then return bucket end
  local now = nowMs()
  local second, state = recordAt(bucket, slot, math.floor(now / 1000))
  return bucket, slot, second, state, (second + 1) * 1000 + windowMs > now
end

-- How many records the bucket holds: the first slot whose word is zero (binary search).
local function usedSlots(bucket)
  local lo, hi = 0, math.max(0, math.floor((#bucket - HEADER) / RECORD))
  while lo < hi do
    local mid = math.floor((lo + hi) / 2)
    local at = HEADER + mid * RECORD + FINGERPRINT + 1
    local a, b, c, d = string.byte(bucket, at, at + 3)
    if a + b + c + d == 0 then hi = mid else lo = mid + 1 end
  end
  return lo
end

--[[
Rewrites a bucket (SET) with its records from slot `first` to `used` - 1, then `record`, then
free room: an eighth more slots, as many as fill the allocation Redis will make anyway (jemalloc's
size classes; sds header and terminator counted), so that growth wastes nothing.
]]
local function rewriteBucket(key, bucket, first, used, record, expiry)
  local records = used - first + 1
  local bytes = HEADER + (records + math.max(1, math.floor(records / 8))) * RECORD
  local sds = 3
  if bytes >= 256 then sds = 5 end
  if bytes >= 65536 then sds = 9 end
  local class = bytes + sds + 1
  if class <= 128 then
    class = math.ceil(class / 16) * 16
  else
    local group = 128
    while group * 2 < class do group = group * 2 end
    class = math.ceil(class / (group / 4)) * (group / 4)
  end
  local size = HEADER + math.floor((class - sds - 1 - HEADER) / RECORD) * RECORD
  local body = uint32(expiry) .. string.sub(bucket, HEADER + first * RECORD + 1, HEADER + used * RECORD) .. record
  redis.call('SET', key, body .. string.rep('\0', size - #body), 'PXAT', expiry * 1000)
end

--[[
Appends a pending record of `fingerprint`, accepted at `ms` (its stream entry's time), to the
bucket at `key` as `findEvent` read it. In place (SETRANGE into free room) while there is room;
when the bucket is full, or its oldest record left the window more than a quarter window ago, it
is rewritten without its expired records, so memory follows the events still remembered.
]]
local function insertEvent(key, bucket, fingerprint, ms, windowMs)
  local second = math.floor(ms / 1000)
  local word = ((second % SECONDS) + 1) * 2
  local record = fingerprint .. uint32(word)
  local needed = (second + 1) * 1000 + windowMs
  local slack = math.min(windowMs / 16, 3600000)
  local used = usedSlots(bucket)
  local keyExpiry = 0
  if #bucket >= HEADER then
    local a, b, c, d = string.byte(bucket, 1, 4)
    keyExpiry = ((a * 256 + b) * 256 + c) * 256 + d
  end
  local stale = used > 0 and ((recordAt(bucket, 0, second)) + 1) * 1000 + windowMs < ms - windowMs / 4
  if used < math.floor((#bucket - HEADER) / RECORD) and not stale then
    redis.call('SETRANGE', key, HEADER + used * RECORD, record)
    if needed > keyExpiry * 1000 then
      local expiry = math.ceil((needed + slack) / 1000)
      redis.call('SETRANGE', key, 0, uint32(expiry))
      redis.call('PEXPIREAT', key, expiry * 1000)
    end
    return
  end
  -- The first record still within the window (binary search: they expire in order).
  local lo, hi = 0, used
  while lo < hi do
    local mid = math.floor((lo + hi) / 2)
    if ((recordAt(bucket, mid, second)) + 1) * 1000 + windowMs > ms then hi = mid else lo = mid + 1 end
  end
  rewriteBucket(key, bucket, lo, used, record, math.max(keyExpiry, math.ceil((needed + slack) / 1000)))
end

-- Marks the record in `slot` processed (its state bit is the low bit of its last byte).
local function markProcessed(key, bucket, slot)
  local offset = HEADER + slot * RECORD + RECORD - 1
  local last = string.byte(bucket, offset + 1)
  if last % 2 == 0 then
    redis.call('SETRANGE', key, offset, string.char(last + 1))
  end
end

--[[
A refreshed record's companion (sliding windows only): the record right after it, with the same
second, whose fingerprint field is the event's first 8 fingerprint bytes reversed, then the Unix
second of the admission (stream entry) the record stands for. A refresh moves the record's second
on, so without it a late confirmation could not tell its own admission, refreshed since, from a
newer admission of the same event. Both share a second, so they expire and are pruned together.
]]
local function companionOf(fingerprint, admittedSecond)
  return string.reverse(string.sub(fingerprint, 1, 8)) .. uint32(admittedSecond)
end

-- The admission second kept by the companion of the record in `slot`, or nil when it has none.
local function companionAt(bucket, slot, fingerprint)
  local at = HEADER + (slot + 1) * RECORD
  if string.sub(bucket, at + 1, at + 8) ~= string.reverse(string.sub(fingerprint, 1, 8)) then return nil end
  local a, b, c, d = string.byte(bucket, at + 9, at + 12)
  local w, x, y, z = string.byte(bucket, at + FINGERPRINT + 1, at + FINGERPRINT + 4)
  if not z or w + x + y + z == 0 then return nil end
  return ((a * 256 + b) * 256 + c) * 256 + d
end

--[[
A sliding window (a tenant's refresh_on_duplicate): the record in `slot` (its second `second`)
counts from `ms` again. It is moved to the end with its companion, so that records stay in time
order (expiry relies on it): the bucket is rewritten without them, then both are inserted anew as
insertEvent would, the record keeping its state and the companion its admission second.
]]
local function refreshEvent(key, bucket, fingerprint, slot, second, state, ms, windowMs)
  local used = usedSlots(bucket)
  local admitted = companionAt(bucket, slot, fingerprint)
  local span = 2
  if not admitted then admitted, span = second, 1 end
  local without = string.sub(bucket, 1, HEADER + slot * RECORD) .. string.sub(bucket, HEADER + (slot + span) * RECORD + 1, HEADER + used * RECORD)
  without = without .. string.rep('\0', #bucket - #without)
  redis.call('SET', key, without, 'KEEPTTL')
  insertEvent(key, without, fingerprint, ms, windowMs)
  insertEvent(key, redis.call('GET', key), companionOf(fingerprint, admitted), ms, windowMs)
  if state == 1 then
    local now = redis.call('GET', key)
    markProcessed(key, now, slotOf(now, fingerprint))
  end
end

local STATES = {[0] = 'pending', [1] = 'processed'}
