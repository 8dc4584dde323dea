-- wrk script of bench/intake.py: POST a JSON body with a bearer token, a different body
-- on every request, and count every response that is not 2xx (wrk's own "Non-2xx or 3xx"
-- line lets a 3xx redirect pass as a success; a create that redirects created nothing).
--
-- Environment (set by bench/intake.py):
--   BENCH_TOKEN  the bearer token
--   BENCH_BODY   the JSON body; every "__N__" in it becomes "<thread>-<request counter>"
--   BENCH_PATH   the request path, e.g. /api/v1/tickets
--
-- At the end one line "BENCH_RESULT {json}" carries the figures bench/intake.py reads.

local token = os.getenv("BENCH_TOKEN") or ""
local body_template = os.getenv("BENCH_BODY") or "{}"
local path = os.getenv("BENCH_PATH") or "/"

local threads = {}
local next_thread_id = 1

function setup(thread)
  thread:set("thread_id", next_thread_id)
  next_thread_id = next_thread_id + 1
  table.insert(threads, thread)
end

function init(args)
  counter = 0
  not_2xx = 0
  first_failure = ""
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Bearer " .. token
end

function request()
  counter = counter + 1
  local tag = thread_id .. "-" .. counter
  local body = string.gsub(body_template, "__N__", tag)
  return wrk.format("POST", path, nil, body)
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    not_2xx = not_2xx + 1
    if first_failure == "" then
      first_failure = status .. " " .. string.sub(string.gsub(body or "", "[%c\"\\]", " "), 1, 300)
    end
  end
end

function done(summary, latency, requests)
  local failures, first = 0, ""
  for _, thread in ipairs(threads) do
    failures = failures + thread:get("not_2xx")
    if first == "" then
      first = thread:get("first_failure") or ""
    end
  end
  local errors = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, '
      .. '"not_2xx": %d, "connect_errors": %d, "read_errors": %d, "write_errors": %d, '
      .. '"timeouts": %d, "first_failure": "%s"}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    failures, errors.connect, errors.read, errors.write, errors.timeout, first))
end
