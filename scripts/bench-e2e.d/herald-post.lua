-- wrk script: POST one distinct event per request to Herald's /v1/events.
-- The event id carries the send time in ms since the epoch ("ev-THREAD-N-MS"); Herald's webhook body
-- repeats it (event_id, delivery_id), so the sink can compute event-to-delivery latency.
-- Environment: BENCH_ROUTES (number of rules; default 100), BENCH_API_KEY.
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_usec; } bench_timeval;
int gettimeofday(bench_timeval *tv, void *tz);
]]
local tv = ffi.new("bench_timeval")
local function now_ms()
  ffi.C.gettimeofday(tv, nil)
  return tonumber(tv.tv_sec) * 1000 + math.floor(tonumber(tv.tv_usec) / 1000)
end

local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

local routes = tonumber(os.getenv("BENCH_ROUTES") or "100")
local headers = {
  ["Content-Type"] = "application/json",
  ["Authorization"] = "Bearer " .. (os.getenv("BENCH_API_KEY") or "bench-key"),
}
local counter = 0

request = function()
  counter = counter + 1
  local body = string.format(
    '{"id":"ev-%d-%d-%d","type":"load.payment","data":{"route":"r%d","phone":"+919876543210","amount":%d.50,"merchant":"Croma"}}',
    tid, counter, now_ms(), (counter + tid) % routes, counter)
  return wrk.format("POST", "/v1/events", headers, body)
end
