-- wrk script: POST BENCH_BATCH distinct alerts (default 100) per request to Alertmanager's
-- /api/v2/alerts, each as alertmanager-post.lua's (its `id` label carrying the send time in ms).
-- Environment: BENCH_ROUTES (number of routes; default 100), BENCH_BATCH.
dofile((os.getenv("BENCH_LUA_DIR") or "scripts/bench-e2e.d") .. "/common.lua")

local routes = tonumber(os.getenv("BENCH_ROUTES") or "100")
local batch = tonumber(os.getenv("BENCH_BATCH") or "100")
local headers = {["Content-Type"] = "application/json"}
local counter = 0

request = function()
  local now = now_ms()
  local alerts = {}
  for i = 1, batch do
    counter = counter + 1
    alerts[i] = string.format(
      '{"labels":{"alertname":"LoadPayment","route":"r%d","id":"am-%d-%d-%d"},"annotations":{"phone":"+919876543210","amount":"%d.50","merchant":"Croma"}}',
      (counter + tid) % routes, tid, counter, now, counter)
  end
  return wrk.format("POST", "/api/v2/alerts", headers, "[" .. table.concat(alerts, ",") .. "]")
end
