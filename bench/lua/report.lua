-- wrk done() hook: write the run's counts and its latency distribution as JSON to the file
-- named by WRK_JSON, so the harness reads numbers rather than parsing wrk's text.
local PERCENTILES = {1, 5, 10, 20, 25, 30, 40, 50, 60, 70, 75, 80, 90, 95, 97.5, 99, 99.5,
                     99.9, 99.99, 100}

done = function(summary, latency, requests)
  local points = {}
  for _, p in ipairs(PERCENTILES) do
    points[#points + 1] = string.format("[%g,%d]", p, latency:percentile(p))
  end
  local e = summary.errors
  local out = assert(io.open(os.getenv("WRK_JSON"), "w"))
  out:write(string.format(
    '{"duration_us":%d,"requests":%d,"bytes":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency_us":{"min":%d,"max":%d,"mean":%.1f,"stdev":%.1f},"percentiles_us":[%s]}',
    summary.duration, summary.requests, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.min, latency.max, latency.mean, latency.stdev, table.concat(points, ",")))
  out:close()
end
