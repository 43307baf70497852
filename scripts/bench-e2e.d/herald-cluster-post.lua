-- wrk script for a cluster of Herald nodes: herald-post.lua's requests, with wrk's threads spread
-- round-robin over the nodes (thread k to node k mod N; each thread's connections all go to its node),
-- so run wrk with a multiple of N threads and a multiple of the threads as connections.
-- Environment: BENCH_NODE_PORTS (the nodes' ports on 127.0.0.1, "PORT,PORT,…"), and herald-post.lua's.
dofile((os.getenv("BENCH_LUA_DIR") or "scripts/bench-e2e.d") .. "/herald-post.lua")

local ports = {}
for port in string.gmatch(os.getenv("BENCH_NODE_PORTS") or "", "%d+") do ports[#ports + 1] = port end
local numbered = setup -- common.lua's: gives each thread its `tid`
local assigned = 0
function setup(thread)
  numbered(thread)
  if #ports > 0 then
    thread.addr = wrk.lookup("127.0.0.1", ports[assigned % #ports + 1])[1]
    assigned = assigned + 1
  end
end
