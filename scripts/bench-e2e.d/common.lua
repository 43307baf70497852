-- Shared by the wrk scripts of scripts/bench-e2e: a millisecond clock (wrk's os.time() has only
-- seconds) and a thread number for each of wrk's threads, as the global `tid`.
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_usec; } bench_timeval;
int gettimeofday(bench_timeval *tv, void *tz);
]]
local tv = ffi.new("bench_timeval")
function now_ms()
  ffi.C.gettimeofday(tv, nil)
  return tonumber(tv.tv_sec) * 1000 + math.floor(tonumber(tv.tv_usec) / 1000)
end

local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

-- Paced load: with BENCH_RATE set (events/s over all of wrk's threads), each thread spaces its
-- requests on a schedule of its own (rate / threads), whichever of its connections sends next, so
-- latencies are measured at that offered rate instead of as fast as a closed loop goes. A thread
-- that fell behind (all its connections waiting for answers) catches up, for at most a second's
-- worth of requests. Without it, every connection sends as soon as its previous answer arrives.
local rate = tonumber(os.getenv("BENCH_RATE") or "")
local rate_threads = tonumber(os.getenv("BENCH_THREADS") or "1")
if rate and rate > 0 then
  local interval = 1000 * rate_threads / rate -- ms between this thread's requests
  local slot = nil
  function delay()
    local now = now_ms()
    if slot == nil then slot = now end
    if slot < now - 1000 then slot = now - 1000 end
    slot = slot + interval
    return math.max(0, math.floor(slot - interval - now))
  end
end

-- The load's events, shared by the single and batch scripts: payment number `n` of this thread,
-- sent at `ms`, for one of BENCH_ROUTES rules (Herald) or routes (Alertmanager). Each id carries the
-- send time, so the sink can compute event-to-delivery latency.
local routes = tonumber(os.getenv("BENCH_ROUTES") or "100")
function payment_event(n, ms)
  return string.format(
    '{"id":"ev-%d-%d-%d","type":"load.payment","data":{"route":"r%d","phone":"+919876543210","amount":%d.50,"merchant":"Croma"}}',
    tid, n, ms, (n + tid) % routes, n)
end
function payment_alert(n, ms)
  return string.format(
    '{"labels":{"alertname":"LoadPayment","route":"r%d","id":"am-%d-%d-%d"},"annotations":{"phone":"+919876543210","amount":"%d.50","merchant":"Croma"}}',
    (n + tid) % routes, tid, n, ms, n)
end
-- Herald's request headers: JSON and the API key (BENCH_API_KEY).
herald_headers = {
  ["Content-Type"] = "application/json",
  ["Authorization"] = "Bearer " .. (os.getenv("BENCH_API_KEY") or "bench-key"),
}
