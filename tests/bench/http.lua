-- http.lua - wrk script for tests/bench/run.sh.
--
-- Environment:
--   BENCH_PATH    request path; "{room}" is replaced by a random integer in
--                 BENCH_ROOM_FIRST..BENCH_ROOM_LAST, "{word}" by a random
--                 word of BENCH_WORDS (comma-separated)
--   BENCH_TOKEN   sent as "Authorization: Bearer <token>" when set
--   BENCH_METHOD  GET (default), or PUT / DELETE / POST
--   BENCH_BODY    a JSON request body ("{word}" replaced as in the path)
--   BENCH_LABEL   name of the measurement
--   BENCH_OUT     file that done() appends one JSON object to
local path = os.getenv("BENCH_PATH") or "/"
local token = os.getenv("BENCH_TOKEN")
local method = os.getenv("BENCH_METHOD") or "GET"
local body = os.getenv("BENCH_BODY")
local first = tonumber(os.getenv("BENCH_ROOM_FIRST") or "1")
local last = tonumber(os.getenv("BENCH_ROOM_LAST") or "1")
local words = {}
for w in string.gmatch(os.getenv("BENCH_WORDS") or "", "[^,]+") do
	words[#words + 1] = w
end

local headers = {}
if token and token ~= "" then
	headers["Authorization"] = "Bearer " .. token
end

if body and body ~= "" then
	headers["Content-Type"] = "application/json"
else
	body = nil
end

local fixed = not (path:find("{room}", 1, true) or path:find("{word}", 1, true) or body)
-- Only the room varies: every request is formatted once, in init(), so
-- that the load tool spends its (shared) CPU on sending, not on Lua.
local per_room = not fixed and not path:find("{word}", 1, true) and not body
local fixed_req
local room_reqs

function init(args)
	math.randomseed(os.time() + math.floor(os.clock() * 1000000))
	if fixed then
		fixed_req = wrk.format(method, path, headers)
	elseif per_room then
		room_reqs = {}
		for room = first, last do
			room_reqs[#room_reqs + 1] = wrk.format(method,
				(path:gsub("{room}", tostring(room))), headers)
		end
	end
end

function request()
	if fixed_req then
		return fixed_req
	end
	if room_reqs then
		return room_reqs[math.random(1, #room_reqs)]
	end
	local p = path:gsub("{room}", function()
		return tostring(math.random(first, last))
	end)
	local b = body
	if #words > 0 then
		local function word()
			return words[math.random(1, #words)]
		end
		p = p:gsub("{word}", word)
		if b then
			b = b:gsub("{word}", word)
		end
	end
	return wrk.format(method, p, headers, b)
end

function done(summary, latency, requests)
	local out = os.getenv("BENCH_OUT")
	if not out then
		return
	end
	local e = summary.errors
	local secs = summary.duration / 1e6
	local f = io.open(out, "a")
	f:write(string.format(
		'{"label":"%s","path":"%s","requests":%d,"seconds":%.3f,' ..
		'"rps":%.1f,"bytes_per_request":%.0f,' ..
		'"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
		'"latency":{"mean_ms":%.3f,"p50_ms":%.3f,"p90_ms":%.3f,' ..
		'"p99_ms":%.3f,"p999_ms":%.3f,"max_ms":%.3f}}\n',
		os.getenv("BENCH_LABEL") or "wrk", path, summary.requests, secs,
		summary.requests / secs,
		summary.requests > 0 and summary.bytes / summary.requests or 0,
		e.connect, e.read, e.write, e.status, e.timeout,
		latency.mean / 1000, latency:percentile(50) / 1000,
		latency:percentile(90) / 1000, latency:percentile(99) / 1000,
		latency:percentile(99.9) / 1000, latency.max / 1000))
	f:close()
end
