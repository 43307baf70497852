-- wrk script: POST one distinct alert per request to Alertmanager's /api/v2/alerts (common.lua's
-- payment_alert). The `id` label makes every alert distinct (with group_by ['...'], its own group) and
-- carries the send time in ms since the epoch ("am-THREAD-N-MS"); the webhook body repeats the labels,
-- so the sink can compute event-to-delivery latency. `route` selects exactly one of the routes.
-- Environment: BENCH_ROUTES (number of routes; default 100).
dofile((os.getenv("BENCH_LUA_DIR") or "scripts/bench-e2e.d") .. "/common.lua")

local headers = {["Content-Type"] = "application/json"}
local counter = 0

request = function()
  counter = counter + 1
  return wrk.format("POST", "/api/v2/alerts", headers, "[" .. payment_alert(counter, now_ms()) .. "]")
end
