-- wrk script: POST one distinct event per request to Herald's /v1/events.
-- The event id carries the send time in ms since the epoch ("ev-THREAD-N-MS"); Herald's webhook body
-- repeats it (event_id, delivery_id), so the sink can compute event-to-delivery latency.
-- Environment: BENCH_ROUTES (number of rules; default 100), BENCH_API_KEY.
dofile((os.getenv("BENCH_LUA_DIR") or "scripts/bench-e2e.d") .. "/common.lua")

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
