-- lighttpd-errors.lua - every answer of lighttpd carries X-Request-Id, and its own errors the JSON error body.
--
-- Run by mod_magnet at response start (magnet.attract-response-start-to in
-- lighttpd.conf.in) for every response, including those lighttpd makes
-- before any other module sees the request (400 malformed, 411, 413, 431,
-- 501, 505) and the 5xx of a program that crashed or is down. Answers of
-- the programs already carry their X-Request-Id and JSON body and are left
-- alone. The bodies themselves come from conf/errors/api-<status>.html
-- (server.errorfile-prefix), which nginx serves too; a status without a
-- file gets the generic body below instead of lighttpd's HTML page.

local r = lighty.r
local resp = r.resp_header

-- The client's id when it is one a program would accept (API.md: 1-64 of
-- letters, digits, '.', '_', '-'), so that a client can match it up;
-- otherwise a new random one, 16 characters as the programs make them.
local function request_id()
	local id = r.req_header["X-Request-Id"]
	if id and #id >= 1 and #id <= 64 and not id:find("[^%w._-]") then
		return id
	end
	local alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	local out = {}
	for i = 1, 16 do
		local k = lighty.c.rand() % 64 + 1
		out[i] = alphabet:sub(k, k)
	end
	return table.concat(out)
end

if resp["X-Request-Id"] then
	return 0
end
resp["X-Request-Id"] = request_id()

local status = r.req_item.http_status
if status < 400 then
	return 0
end
if not resp["Cache-Control"] then
	resp["Cache-Control"] = "no-store"
end
local ctype = resp["Content-Type"] or ""
if ctype:sub(1, 16) ~= "application/json" then
	resp["Content-Type"] = "application/json"
	r.resp_body.set({ string.format(
		'{"error":{"code":"http_%d","message":"The server could not handle this request (HTTP %d)."}}\n',
		status, status) })
end
return 0
