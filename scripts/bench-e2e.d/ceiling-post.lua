-- wrk script for the ceiling: POST the JSON body Herald's webhook kind sends (about 300 bytes) to the
-- sink, with an id in the same form as the gateways' ("cl-THREAD-N-MS"), so that the logging sink
-- location does the same work per request as for the gateways' deliveries.
dofile((os.getenv("BENCH_LUA_DIR") or "scripts/bench-e2e.d") .. "/common.lua")

local headers = {["Content-Type"] = "application/json", ["X-Herald-Delivery"] = "ceiling"}
local counter = 0

request = function()
  counter = counter + 1
  local id = string.format("cl-%d-%d-%d", tid, counter, now_ms())
  local body = string.format(
    '{"delivery_id":"%s/route-7","event_id":"%s","rule":"route-7","recipient":{"address":"+919876543210","locale":null},"locale":"en","text":"Payment of ₹%d.50 at Croma. Was this you?","params":{"amount":{"money":%d.50,"currency":"INR"},"merchant":"Croma"},"channel":"sink"}',
    id, id, counter, counter)
  return wrk.format("POST", wrk.path, headers, body)
end
