-- The old service's load mix for wrk (-t1): 80 % new events, 20 % one fixed event sent again and
-- again, in the shape of bench/src/lib/load/event-bodies.ts. Counts the answers by status and
-- prints them as one JSON line at the end, which bench:compare reads.
local counter = 0
local run = tostring(os.time()) .. "-" .. tostring(math.random(1, 1e9))
local timestamp = os.date("!%Y-%m-%dT%H:%M:%SZ")
-- Per thread: a global count per status ("s202"…) and the statuses seen ("202,409"); wrk copies
-- strings and numbers out of a thread's state, not tables.
seen = ""
local duplicate = string.format(
  '{"user_id":"dup-%s","event_type":"view","timestamp":"%s","payload":{"item_id":"item-0","price":0.5,"currency":"EUR","platform":"web"}}',
  run, timestamp)
local types = { "purchase", "view", "add_to_cart", "click" }
local headers = { ["Content-Type"] = "application/json" }
local threads = {}

-- done() runs in wrk's main Lua state: the counts are read from each thread's own state.
setup = function(thread)
  threads[#threads + 1] = thread
end

request = function()
  counter = counter + 1
  local body
  if counter % 5 == 0 then
    body = duplicate
  else
    body = string.format(
      '{"user_id":"u-%s-%d","event_type":"%s","timestamp":"%s","payload":{"item_id":"item-%d","price":%.2f,"currency":"EUR","platform":"web"}}',
      run, counter, types[counter % 4 + 1], timestamp, counter % 1000, (counter % 10000) / 100 + 0.5)
  end
  return wrk.format("POST", wrk.path, headers, body)
end

response = function(status)
  local name = "s" .. status
  local count = _G[name]
  if count == nil then
    count = 0
    seen = seen .. status .. ","
  end
  _G[name] = count + 1
end

done = function(summary, latency)
  local totals = {}
  for _, thread in ipairs(threads) do
    for status in string.gmatch(thread:get("seen"), "(%d+),") do
      totals[status] = (totals[status] or 0) + thread:get("s" .. status)
    end
  end
  local parts = {}
  for status, n in pairs(totals) do parts[#parts + 1] = string.format('"%s":%d', status, n) end
  io.write(string.format(
    'WRK_RESULT {"requests":%d,"seconds":%.3f,"errors":%d,"p50_us":%d,"p99_us":%d,"statuses":{%s}}\n',
    summary.requests, summary.duration / 1e6,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50), latency:percentile(99), table.concat(parts, ",")))
end
