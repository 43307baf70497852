-- wrk script: POST a JSON array of BENCH_BATCH distinct events (default 100) per request to Herald's
-- /v1/events, each event as herald-post.lua's (its id carrying the send time in ms).
-- Environment: BENCH_ROUTES (number of rules; default 100), BENCH_BATCH, BENCH_API_KEY.
dofile((os.getenv("BENCH_LUA_DIR") or "scripts/bench-e2e.d") .. "/common.lua")

local routes = tonumber(os.getenv("BENCH_ROUTES") or "100")
local batch = tonumber(os.getenv("BENCH_BATCH") or "100")
local headers = {
  ["Content-Type"] = "application/json",
  ["Authorization"] = "Bearer " .. (os.getenv("BENCH_API_KEY") or "bench-key"),
}
local counter = 0

request = function()
  local now = now_ms()
  local events = {}
  for i = 1, batch do
    counter = counter + 1
    events[i] = string.format(
      '{"id":"ev-%d-%d-%d","type":"load.payment","data":{"route":"r%d","phone":"+919876543210","amount":%d.50,"merchant":"Croma"}}',
      tid, counter, now, (counter + tid) % routes, counter)
  end
  return wrk.format("POST", "/v1/events", headers, "[" .. table.concat(events, ",") .. "]")
end
