-- A new digest on every request (what a scraper or a cache-busting flood sends): the path is
-- wrk's URL path with "%s" replaced by 32 hex digits unique to this thread and request.
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
  return wrk.format(nil, (template:gsub("%%s", digest)))
end

dofile(os.getenv("WRK_REPORT"))
