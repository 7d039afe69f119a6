-- A new digest on every request (what a scraper or a cache-busting flood sends): the path is
-- wrk's URL path with "%s" replaced by 32 hex digits unique to this thread and request.
-- Each request also carries X-Forwarded-For with the next of 131,072 client addresses (the
-- 198.18.0.0/15 benchmarking range; a header only, no traffic goes there), as a front door
-- sends it for a flood from many clients: behind a trusted proxy every request is counted
-- against its own client's render limit, none is refused, so the limiter's whole cost shows.
local counter, thread_tag, template = 0, 0, nil
local next_tag = 0

setup = function(thread)
  next_tag = next_tag + 1
  thread:set("tag", next_tag)
end

init = function(args)
  thread_tag = tonumber(wrk.thread:get("tag")) or 0
  template = wrk.path
  -- Different runs of the same bench send different digests (cache busting across runs too).
  math.randomseed(os.time() + thread_tag)
  run_tag = math.random(0, 0x7fffffff)
end

request = function()
  counter = counter + 1
  local digest = string.format("%08x%08x%016d", thread_tag, run_tag, counter)
  local client = (counter * 2 + thread_tag) % 131072
  local headers = {["X-Forwarded-For"] = string.format(
    "198.%d.%d.%d", 18 + math.floor(client / 65536), math.floor(client / 256) % 256, client % 256)}
  return wrk.format(nil, (template:gsub("%%s", digest)), headers)
end

dofile(os.getenv("WRK_REPORT"))
