-- wrk script: POST a JSON array of BENCH_BATCH distinct events (default 100) per request to Herald's
-- /v1/events, each as herald-post.lua's (common.lua's payment_event).
-- Environment: BENCH_ROUTES (number of rules; default 100), BENCH_BATCH, BENCH_API_KEY.
dofile((os.getenv("BENCH_LUA_DIR") or "scripts/bench-e2e.d") .. "/common.lua")

local batch = tonumber(os.getenv("BENCH_BATCH") or "100")
local counter = 0

request = function()
  local now, events = now_ms(), {}
  for i = 1, batch do
    counter = counter + 1
    events[i] = payment_event(counter, now)
  end
  return wrk.format("POST", "/v1/events", herald_headers, "[" .. table.concat(events, ",") .. "]")
end
