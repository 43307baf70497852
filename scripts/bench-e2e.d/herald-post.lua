-- wrk script: POST one distinct event per request to Herald's /v1/events (common.lua's
-- payment_event). The event id carries the send time in ms since the epoch ("ev-THREAD-N-MS"); Herald's
-- webhook body repeats it (event_id, delivery_id), so the sink can compute event-to-delivery latency.
-- Environment: BENCH_ROUTES (number of rules; default 100), BENCH_API_KEY.
dofile((os.getenv("BENCH_LUA_DIR") or "scripts/bench-e2e.d") .. "/common.lua")

local counter = 0

request = function()
  counter = counter + 1
  return wrk.format("POST", "/v1/events", herald_headers, payment_event(counter, now_ms()))
end
