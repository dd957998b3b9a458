// cgi.mjs - runs one request through a FastCGI program in plain CGI mode
// (the same binary lighttpd runs, against the stack's PostgreSQL and
// Redis), so a test can choose REMOTE_ADDR and override configuration
// (a real environment variable beats the env file).
import { spawn } from 'node:child_process';
import path from 'node:path';

/**
 * cgi(program, { method, path, headers, json, remoteAddr, env }) resolves to
 * { status, headers, text, json, code, stderr }; headers are lower-case.
 */
export function cgi(program, opts = {}) {
  const bin = path.join(process.env.BIN_DIR, `easychat-${program}`);
  const body = opts.json === undefined ? '' : JSON.stringify(opts.json);
  const uri = opts.path || '/';
  const env = {
    PATH: process.env.PATH,
    EASYCHAT_ENV: process.env.EASYCHAT_ENV,
    EASYCHAT_VAR: process.env.EASYCHAT_VAR,
    REQUEST_METHOD: opts.method || 'GET',
    REQUEST_URI: uri,
    SCRIPT_NAME: uri.split('?')[0],
    QUERY_STRING: uri.includes('?') ? uri.slice(uri.indexOf('?') + 1) : '',
    SERVER_PROTOCOL: 'HTTP/1.1',
    GATEWAY_INTERFACE: 'CGI/1.1',
    REMOTE_ADDR: opts.remoteAddr || '127.0.0.1',
    CONTENT_LENGTH: String(Buffer.byteLength(body)),
  };
  if (body) env.CONTENT_TYPE = 'application/json';
  for (const v of ['ASAN_OPTIONS', 'UBSAN_OPTIONS', 'LSAN_OPTIONS']) {
    if (process.env[v]) env[v] = process.env[v];
  }
  for (const [k, v] of Object.entries(opts.headers || {})) {
    env[`HTTP_${k.toUpperCase().replace(/-/g, '_')}`] = v;
  }
  Object.assign(env, opts.env || {});
  return new Promise((resolve, reject) => {
    const child = spawn(bin, [], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out = [];
    const err = [];
    child.stdout.on('data', (c) => out.push(c));
    child.stderr.on('data', (c) => err.push(c));
    child.on('error', reject);
    child.on('close', (code) => {
      const raw = Buffer.concat(out).toString('utf8');
      const cut = raw.indexOf('\r\n\r\n');
      const head = cut < 0 ? raw : raw.slice(0, cut);
      const text = cut < 0 ? '' : raw.slice(cut + 4);
      const headers = {};
      for (const line of head.split('\r\n')) {
        const i = line.indexOf(':');
        if (i > 0) headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
      }
      let json;
      try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
      const status = headers.status ? Number(headers.status.split(' ')[0]) : 0;
      resolve({ status, headers, text, json, code, stderr: Buffer.concat(err).toString('utf8') });
    });
    child.stdin.end(body);
  });
}
