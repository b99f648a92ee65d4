-- wrk script for bench/measure.ts (`loadWrk`): each request carries the next cookie of the file named
-- by the first argument, one cookie a line (the cold path: many distinct sessions); with no file, or
-- "-", every request carries the fixed header given as the second argument (may be empty). At the end
-- it prints one JSON line of counts and latency percentiles (microseconds), read by the bench.
-- `status` is wrk's count of answers with a status of 400 or more (wrk counts no others); wrk's
-- percentiles include its correction for coordinated omission (samples added for requests that
-- waited behind a slow one), so they sit a few percent above a plain histogram's.
local cookies = {}
local count = 0
local at = 0
local fixed = nil

function init(args)
  if args[1] ~= nil and args[1] ~= "-" then
    for line in io.lines(args[1]) do
      if line ~= "" then
        count = count + 1
        cookies[count] = line
      end
    end
    if count == 0 then error("no cookies in " .. args[1]) end
    math.randomseed(os.time())
    at = math.random(count)
  end
  if args[2] ~= nil and args[2] ~= "" then fixed = { Cookie = args[2] } end
end

function request()
  if count == 0 then return wrk.format(nil, nil, fixed) end
  at = at % count + 1
  return wrk.format(nil, nil, { Cookie = cookies[at] })
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"durationUs":%d,"p50Us":%d,"p99Us":%d,"status":%d,"socket":%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), e.status,
    e.connect + e.read + e.write + e.timeout))
end
