-- wrk script: POST BENCH_BATCH distinct alerts (default 100) per request to Alertmanager's
-- /api/v2/alerts, each as alertmanager-post.lua's (common.lua's payment_alert).
-- Environment: BENCH_ROUTES (number of routes; default 100), BENCH_BATCH.
dofile((os.getenv("BENCH_LUA_DIR") or "scripts/bench-e2e.d") .. "/common.lua")

local batch = tonumber(os.getenv("BENCH_BATCH") or "100")
local headers = {["Content-Type"] = "application/json"}
local counter = 0

request = function()
  local now, alerts = now_ms(), {}
  for i = 1, batch do
    counter = counter + 1
    alerts[i] = payment_alert(counter, now)
  end
  return wrk.format("POST", "/api/v2/alerts", headers, "[" .. table.concat(alerts, ",") .. "]")
end
