-- wrk: POST a small chat completion request, as a typical app would.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"model":"nova-2-lite-v1","messages":[{"role":"system","content":"You are terse."},{"role":"user","content":"Say hello in five words."}],"max_tokens":64}'

local errors = 0
response = function(status, headers, body)
  if status ~= 200 then errors = errors + 1 end
end

done = function(summary, latency, requests)
  local s = summary
  io.write(string.format("RESULT p50_us=%d p99_us=%d rps=%.1f requests=%d non2xx=%d socket_errors=%d\n",
    latency:percentile(50), latency:percentile(99), s.requests / (s.duration / 1e6), s.requests,
    (s.errors.status or 0), (s.errors.connect + s.errors.read + s.errors.write + s.errors.timeout)))
end
