-- Constant-rate load for Debian's wrk, which has no -R (that is wrk2): each thread hands out
-- send slots on a fixed schedule (rate/threads per second, from `-- <rate per thread>`) and
-- delay() holds a request until its slot. Latency is wrk's own, timed from the write, so a
-- server stall that makes slots pile up shows as a shortfall of the achieved rate, which the
-- harness reports beside the percentiles.
local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } timespec;
  int clock_gettime(int clk_id, timespec *tp);
]]
local ts = ffi.new("timespec")
local function now_ms()
  ffi.C.clock_gettime(1, ts)  -- CLOCK_MONOTONIC
  return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end

local interval_ms, next_slot

init = function(args)
  interval_ms = 1000 / tonumber(args[1])
end

delay = function()
  local now = now_ms()
  if next_slot == nil then next_slot = now end
  next_slot = next_slot + interval_ms
  local wait = next_slot - now
  if wait < 0 then return 0 end
  return wait
end

dofile(os.getenv("WRK_REPORT"))
