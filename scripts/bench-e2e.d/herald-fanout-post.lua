-- wrk script: POST one airline flight-delay event per request to Herald's /v1/events, listing
-- BENCH_PASSENGERS passengers (default 300), each with a phone, a name and a locale; the rule
-- (for_each) writes to every one of them. The event id carries the send time in ms.
-- Environment: BENCH_PASSENGERS, BENCH_API_KEY.
dofile((os.getenv("BENCH_LUA_DIR") or "scripts/bench-e2e.d") .. "/common.lua")

local passengers = tonumber(os.getenv("BENCH_PASSENGERS") or "300")
local locales = {"en-IN", "hi", "pt-BR", "id"}
local list = {}
for i = 1, passengers do
  list[i] = string.format('{"phone":"+9198%08d","name":"Passenger %d","locale":"%s"}', i, i, locales[(i % #locales) + 1])
end
local manifest = table.concat(list, ",")
local counter = 0

request = function()
  counter = counter + 1
  local body = string.format(
    '{"id":"ev-%d-%d-%d","type":"airline.flight.delayed","data":{"flight":"AI%d","departs":"2026-12-24T21:40:00Z","passengers":[%s]}}',
    tid, counter, now_ms(), 100 + counter % 900, manifest)
  return wrk.format("POST", "/v1/events", herald_headers, body)
end
