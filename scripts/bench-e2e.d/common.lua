-- Shared by the wrk scripts of scripts/bench-e2e: a millisecond clock (wrk's os.time() has only
-- seconds) and a thread number for each of wrk's threads, as the global `tid`.
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_usec; } bench_timeval;
int gettimeofday(bench_timeval *tv, void *tz);
]]
local tv = ffi.new("bench_timeval")
function now_ms()
  ffi.C.gettimeofday(tv, nil)
  return tonumber(tv.tv_sec) * 1000 + math.floor(tonumber(tv.tv_usec) / 1000)
end

local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
