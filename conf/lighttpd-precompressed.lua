-- lighttpd-precompressed.lua - /assets/ answers: the build's .br or .gz beside a file when the client accepts it, a year's cache.
--
-- Run by mod_magnet once the physical path is known
-- (magnet.attract-physical-path-to in lighttpd.conf.in, /assets/ only).
-- lighttpd 1.4.69's mod_deflate compresses per request (or into a cache
-- directory of its own); it does not pick up files compressed ahead of
-- time, so this script does what nginx's gzip_static/brotli_static do:
-- `make spa` writes NAME.br and NAME.gz next to each text file, and when
-- the client accepts "br" (else "gzip") and the file exists, mod_staticfile
-- sends it instead, with Content-Encoding and the Content-Type of NAME.
-- Cache-Control is set here rather than by mod_expire/setenv because it
-- must go on a found file only (a 404 gets no-store from
-- lighttpd-errors.lua), and as one header.

local r = lighty.r
local path = r.req_attr["physical.path"]
local found = path and lighty.c.stat(path)
if not (found and found.is_file) then
	return 0
end

local resp = r.resp_header
-- The answer differs by Accept-Encoding whether or not it is compressed
-- this time: caches must key on it.
resp["Vary"] = "Accept-Encoding"
resp["Cache-Control"] = "public, max-age=31536000, immutable"

-- Only the types that the build compresses (Makefile, SPA_COMPRESS).
local types = {
	js = "text/javascript; charset=utf-8",
	css = "text/css; charset=utf-8",
	html = "text/html; charset=utf-8",
	svg = "image/svg+xml",
	json = "application/json",
}
local ctype = types[path:match("%.(%w+)$") or ""]
if not ctype then
	return 0
end

-- Whether Accept-Encoding lists CODING with a non-zero q (RFC 9110 12.5.3;
-- "br;q=0" refuses it).
local function accepts(header, coding)
	for item in header:gmatch("[^,]+") do
		local name, params = item:match("^%s*([^;%s]+)%s*(.*)$")
		if name and name:lower() == coding then
			local q = params:match("[qQ]%s*=%s*([%d.]+)")
			return not q or tonumber(q) ~= 0
		end
	end
	return false
end

local ae = r.req_header["Accept-Encoding"] or ""
for _, enc in ipairs({ { "br", ".br" }, { "gzip", ".gz" } }) do
	local st = accepts(ae, enc[1]) and lighty.c.stat(path .. enc[2])
	if st and st.is_file then
		r.req_attr["physical.path"] = path .. enc[2]
		resp["Content-Type"] = ctype
		resp["Content-Encoding"] = enc[1]
		return 0
	end
end
return 0
