-- POSTs one body on every request (the file named by WRK_BODY, with WRK_CONTENT_TYPE) and
-- prints a JSON summary line at the end, which bench/_wrk.py reads. Set at load time, before
-- wrk formats its one static request, so no Lua runs per request.
local file = assert(io.open(assert(os.getenv("WRK_BODY"), "WRK_BODY is not set"), "rb"))
wrk.method = "POST"
wrk.body = file:read("*a")
file:close()
wrk.headers["Content-Type"] = os.getenv("WRK_CONTENT_TYPE") or "application/json"

done = function(summary, latency, requests)
   local e = summary.errors
   io.write(string.format(
      '\nWRK_JSON {"requests": %d, "duration_us": %d, "bytes": %d, "status_errors": %d, ' ..
      '"socket_errors": %d, "p50_us": %d, "p99_us": %d, "mean_us": %f}\n',
      summary.requests, summary.duration, summary.bytes, e.status,
      e.connect + e.read + e.write + e.timeout,
      latency:percentile(50), latency:percentile(99), latency.mean))
end
