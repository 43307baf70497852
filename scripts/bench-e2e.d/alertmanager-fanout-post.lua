-- wrk script: POST one alert per request to Alertmanager's /api/v2/alerts, which BENCH_PASSENGERS
-- routes (default 300, each `continue: true` with a webhook receiver of its own) all match: its
-- nearest equivalent of one event written to 300 recipients. The `id` label carries the send time.
dofile((os.getenv("BENCH_LUA_DIR") or "scripts/bench-e2e.d") .. "/common.lua")

local headers = {["Content-Type"] = "application/json"}
local counter = 0

request = function()
  counter = counter + 1
  local body = string.format(
    '[{"labels":{"alertname":"FlightDelayed","flight":"AI%d","id":"am-%d-%d-%d"},"annotations":{"departs":"2026-12-24T21:40:00Z"}}]',
    100 + counter % 900, tid, counter, now_ms())
  return wrk.format("POST", "/api/v2/alerts", headers, body)
end
