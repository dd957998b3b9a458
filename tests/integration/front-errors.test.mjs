// front-errors.test.mjs - answers the front server makes itself carry X-Request-Id and the JSON error body (raw sockets).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import fs from 'node:fs';
import { env, sleep } from '../lib/api.mjs';

/**
 * Sends bytes as they are (no client library to fix them up) and parses
 * the first answer: { status, headers (lower-case names, arrays joined by
 * ", "), text, json }.
 */
function rawHttp(bytes, { timeout = 10000 } = {}) {
  const url = new URL(env.baseUrl);
  return new Promise((resolve, reject) => {
    const chunks = [];
    const sock = net.connect(Number(url.port), url.hostname, () => sock.write(bytes));
    const timer = setTimeout(() => sock.destroy(new Error('no complete answer in time')), timeout);
    const finish = () => {
      clearTimeout(timer);
      const all = Buffer.concat(chunks).toString('latin1');
      const end = all.indexOf('\r\n\r\n');
      if (end < 0) { reject(new Error(`no answer: ${JSON.stringify(all)}`)); return; }
      const lines = all.slice(0, end).split('\r\n');
      const status = Number(lines[0].split(' ')[1]);
      const headers = {};
      for (const l of lines.slice(1)) {
        const i = l.indexOf(':');
        const k = l.slice(0, i).toLowerCase();
        const v = l.slice(i + 1).trim();
        headers[k] = headers[k] ? `${headers[k]}, ${v}` : v;
      }
      let text = all.slice(end + 4);
      if (headers['content-length'] !== undefined) text = text.slice(0, Number(headers['content-length']));
      else if (/chunked/i.test(headers['transfer-encoding'] || '')) text = unchunk(text);
      let json;
      try { json = JSON.parse(text); } catch { json = undefined; }
      resolve({ status, headers, text, json });
    };
    sock.on('data', (c) => {
      chunks.push(c);
      // Stop at the end of the first answer (keep-alive would wait).
      const all = Buffer.concat(chunks).toString('latin1');
      const end = all.indexOf('\r\n\r\n');
      const m = /\r\ncontent-length: *(\d+)/i.exec(all.slice(0, end));
      if (end >= 0 && m && all.length - end - 4 >= Number(m[1])) { sock.destroy(); }
      if (end >= 0 && !m && all.endsWith('\r\n0\r\n\r\n')) { sock.destroy(); }
    });
    sock.on('close', finish);
    sock.on('error', () => {}); // a reset after the answer is fine
  });
}

/** The body of a chunked answer (nginx's answers from FastCGI). */
function unchunk(text) {
  let out = '';
  let rest = text;
  for (;;) {
    const eol = rest.indexOf('\r\n');
    if (eol < 0) return out;
    const size = parseInt(rest.slice(0, eol), 16);
    if (!(size > 0)) return out;
    out += rest.slice(eol + 2, eol + 2 + size);
    rest = rest.slice(eol + 2 + size + 2);
  }
}

/** Which front server the stack runs (stack.env). */
const front = process.env.FRONT || 'lighttpd';

function host() { return new URL(env.baseUrl).host; }

/** The error shape of API.md, with the id and a JSON type. */
function assertJsonError(res, status, code) {
  assert.equal(res.status, status, `expected ${status}: ${res.status} ${JSON.stringify(res.headers)} ${res.text}`);
  assert.match(res.headers['content-type'] || '', /^application\/json/, res.text);
  assert.ok(res.json && res.json.error, `JSON error body expected: ${res.text}`);
  assert.equal(typeof res.json.error.message, 'string');
  if (code) assert.equal(res.json.error.code, code, res.text);
  assert.match(res.headers['x-request-id'] || '', /^[A-Za-z0-9._-]{1,64}$/, 'X-Request-Id expected');
}

test('413 above the front server\'s body limit: JSON and X-Request-Id', async () => {
  const res = await rawHttp(`POST /api/users/me/icon HTTP/1.1\r\nHost: ${host()}\r\n`
    + 'Content-Type: application/octet-stream\r\nContent-Length: 9000000\r\n\r\n');
  assertJsonError(res, 413, 'too_large');
});

test('a URI longer than the programs\' limit reaches the program (its 400), not a 431', async () => {
  const res = await rawHttp(`GET /api/search/groups?q=${'a'.repeat(9000)} HTTP/1.1\r\n`
    + `Host: ${host()}\r\nConnection: close\r\n\r\n`);
  assertJsonError(res, 400, 'bad_request');
  // Only a program answers with its charset-qualified type.
  assert.equal(res.headers['content-type'], 'application/json; charset=utf-8');
});

test('431 for headers above the front server\'s limit: JSON and X-Request-Id', async () => {
  const res = await rawHttp(`GET /api/auth/me HTTP/1.1\r\nHost: ${host()}\r\n`
    + `X-Big: ${'b'.repeat(40000)}\r\nConnection: close\r\n\r\n`);
  assertJsonError(res, 431, 'headers_too_large');
});

test('400 for a duplicate Content-Length or Host: JSON and X-Request-Id', async () => {
  assertJsonError(await rawHttp(`POST /api/auth/login HTTP/1.1\r\nHost: ${host()}\r\n`
    + 'Content-Length: 2\r\nContent-Length: 3\r\nConnection: close\r\n\r\n{}'), 400, 'bad_request');
  assertJsonError(await rawHttp(`GET /api/auth/me HTTP/1.1\r\nHost: ${host()}\r\n`
    + 'Host: other.example\r\nConnection: close\r\n\r\n'), 400, 'bad_request');
});

test('a POST without Content-Length or body: 411 in JSON; with Content-Length: 0 it reaches the program', async () => {
  const res = await rawHttp(`POST /api/auth/logout HTTP/1.1\r\nHost: ${host()}\r\n`
    + `Origin: ${env.origin}\r\nConnection: close\r\n\r\n`);
  // lighttpd insists on a length for POST (every HTTP client sends one);
  // API.md's "no body means {}" is a body of length 0, which is what
  // nginx passes on.
  if (front === 'lighttpd') assertJsonError(res, 411, 'length_required');
  else assert.equal(res.status, 204, res.text);
  const ok = await rawHttp(`POST /api/auth/logout HTTP/1.1\r\nHost: ${host()}\r\n`
    + `Origin: ${env.origin}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
  assert.equal(ok.status, 204, ok.text);
  assert.ok(ok.headers['x-request-id']);
});

test('an unknown method or transfer coding, HTTP/2.0 on HTTP/1: JSON and X-Request-Id', async () => {
  // lighttpd refuses unknown methods itself (501); nginx passes them on to
  // the program, which answers 405.
  assertJsonError(await rawHttp(`FOO /api/auth/me HTTP/1.1\r\nHost: ${host()}\r\nConnection: close\r\n\r\n`),
    front === 'nginx' ? 405 : 501);
  assertJsonError(await rawHttp(`POST /api/auth/login HTTP/1.1\r\nHost: ${host()}\r\n`
    + 'Transfer-Encoding: gzip\r\nConnection: close\r\n\r\n'), 501);
  assertJsonError(await rawHttp(`GET /api/auth/me HTTP/2.0\r\nHost: ${host()}\r\nConnection: close\r\n\r\n`), 505);
});

test('the client\'s X-Request-Id is kept on the front server\'s own answers; a bad one is replaced', async () => {
  const big = (id) => rawHttp(`POST /api/users/me/icon HTTP/1.1\r\nHost: ${host()}\r\nX-Request-Id: ${id}\r\n`
    + 'Content-Length: 9000000\r\n\r\n');
  const mine = await big('trace-42.a_b');
  assertJsonError(mine, 413);
  assert.equal(mine.headers['x-request-id'], 'trace-42.a_b');
  const bad = await big('no spaces<>');
  assertJsonError(bad, 413);
  assert.notEqual(bad.headers['x-request-id'], 'no spaces<>');
});

test('static answers carry X-Request-Id too, and a missing file is a JSON 404', async () => {
  const page = await rawHttp(`GET /index.html HTTP/1.1\r\nHost: ${host()}\r\nConnection: close\r\n\r\n`);
  assert.ok(page.status === 200 || page.status === 404, String(page.status));
  assert.ok(page.headers['x-request-id']);
  const missing = await rawHttp(`GET /assets/missing-0000.js HTTP/1.1\r\nHost: ${host()}\r\nConnection: close\r\n\r\n`);
  assertJsonError(missing, 404);
});

/** pids of this stack's processes running easychat-<name>. */
function programPids(name) {
  const pids = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const cmd = fs.readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0')[0];
      if (!cmd.endsWith(`/easychat-${name}`)) continue;
      const envs = fs.readFileSync(`/proc/${d}/environ`, 'utf8').split('\0');
      if (envs.includes(`EASYCHAT_STACK=${env.varDir}`)) pids.push(Number(d));
    } catch { /* gone, or not ours */ }
  }
  return pids;
}

test('a program that dies in the middle of a request: the 5xx is JSON with X-Request-Id', async () => {
  const pids = programPids('search');
  if (pids.length === 0) {
    // Another front (FRONT=nginx) may run the programs under other
    // supervision; the stack must still tell us where they are.
    assert.fail(`no easychat-search process of ${env.varDir} found`);
  }
  // Stopped processes cannot answer; the request waits in their socket.
  for (const p of pids) process.kill(p, 'SIGSTOP');
  let res;
  try {
    const pending = rawHttp(`GET /api/search/groups?q=crash HTTP/1.1\r\nHost: ${host()}\r\nConnection: close\r\n\r\n`);
    await sleep(700);
    for (const p of pids) process.kill(p, 'SIGKILL');
    res = await pending;
  } finally {
    for (const p of pids) { try { process.kill(p, 'SIGKILL'); } catch { /* already gone */ } }
  }
  assert.ok(res.status >= 500 && res.status <= 504, `5xx expected: ${res.status} ${res.text}`);
  assertJsonError(res, res.status);
  // The supervisor brings the program back.
  let back;
  for (let i = 0; i < 100; i++) {
    back = await rawHttp(`GET /api/search/groups?q=back HTTP/1.1\r\nHost: ${host()}\r\nConnection: close\r\n\r\n`);
    if (back.status === 200) break;
    await sleep(200);
  }
  assert.equal(back.status, 200, `search did not come back: ${back.status} ${back.text}`);
});

test('hashed assets: a year of caching; nginx serves the precompressed .gz', async () => {
  const index = await rawHttp(`GET / HTTP/1.1\r\nHost: ${host()}\r\nConnection: close\r\n\r\n`);
  const m = /\/assets\/[^"]+\.js/.exec(index.text);
  assert.ok(index.status === 200 && m, `the SPA's index.html with a script expected (make spa): ${index.status}`);
  const res = await rawHttp(`GET ${m[0]} HTTP/1.1\r\nHost: ${host()}\r\nAccept-Encoding: gzip\r\nConnection: close\r\n\r\n`);
  assert.equal(res.status, 200);
  assert.match(res.headers['cache-control'] || '', /max-age=31536000/);
  assert.match(res.headers['cache-control'] || '', /immutable/);
  if (front === 'nginx') assert.equal(res.headers['content-encoding'], 'gzip');
});
