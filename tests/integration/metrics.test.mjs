// metrics.test.mjs - GET /api/<program>/metrics (common/reqstat.c): counts of every process of a program, by route pattern and status class, with latency histograms; refused without METRICS_TOKEN.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { raw, newUser, assertError } from '../lib/api.mjs';

const PROGRAMS = ['auth', 'users', 'groups', 'rooms', 'search'];

/** METRICS_TOKEN of the running stack (its env file). */
function token() {
  const text = fs.readFileSync(process.env.EASYCHAT_ENV, 'utf8');
  const lines = text.split('\n').filter((l) => l.startsWith('METRICS_TOKEN='));
  const v = lines.at(-1)?.slice('METRICS_TOKEN='.length).trim();
  assert.ok(v, 'the test stack sets METRICS_TOKEN');
  return v;
}

/** Scrapes a program; returns Map("name{labels}" -> number). */
async function scrape(program) {
  const res = await raw(`/api/${program}/metrics`, { headers: { Authorization: `Bearer ${token()}` } });
  assert.equal(res.status, 200, res.text);
  assert.match(res.headers['content-type'], /^text\/plain; version=0\.0\.4/);
  const out = new Map();
  for (const line of res.text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    out.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
}

const series = (program, method, route, extra) =>
  `{program="${program}",method="${method}",route="${route}"${extra ? `,${extra}` : ''}}`;
const count = (m, program, method, route, cls) =>
  m.get(`easychat_http_requests_total${series(program, method, route, `status="${cls}"`)}`);
const hist = (m, program, method, route, what) =>
  m.get(`easychat_http_request_duration_seconds_${what}${series(program, method, route)}`);

test('a scrape without the token, or with a wrong one, is refused and shows nothing', async () => {
  for (const p of PROGRAMS) {
    let res = await raw(`/api/${p}/metrics`);
    assertError(assert, res, 401, 'not_authenticated');
    assert.doesNotMatch(res.text, /easychat_http/);
    res = await raw(`/api/${p}/metrics`, { headers: { Authorization: `Bearer ${token()}x` } });
    assertError(assert, res, 401, 'not_authenticated');
    res = await raw(`/api/${p}/metrics`, { headers: { Authorization: `Basic ${token()}` } });
    assertError(assert, res, 401, 'not_authenticated');
  }
});

test('every program is shared across its processes and lists its route patterns, never raw paths', async () => {
  for (const p of PROGRAMS) {
    const m = await scrape(p);
    assert.equal(m.get(`easychat_http_metrics_shared{program="${p}"}`), 1, p);
    assert.equal(hist(m, p, 'GET', 'health', 'count') !== undefined, true, `${p}: health series`);
  }
  const u = await newUser();
  await u.get(`/api/users/${u.user.id}`);
  const m = await scrape('users');
  assert.ok(count(m, 'users', 'GET', '/api/users/{id}', '2xx') >= 1);
  for (const k of m.keys()) assert.doesNotMatch(k, new RegExp(`/api/users/${u.user.id}`), 'no raw path in a label');
});

test('counts move exactly, across all processes, by route pattern and status class', async () => {
  const u = await newUser();
  const before = await scrape('users');
  // In parallel, so that the front server hands them to every process.
  const N = 24;
  const oks = await Promise.all(Array.from({ length: N }, () => u.get('/api/users/me')));
  for (const r of oks) assert.equal(r.status, 200);
  const missing = await Promise.all(Array.from({ length: 5 }, () => u.get('/api/users/999999999999')));
  for (const r of missing) assert.equal(r.status, 404);
  const stray = await raw('/api/users/no/such/path');
  assert.equal(stray.status, 404);
  const after = await scrape('users');
  const moved = (method, route, cls) =>
    count(after, 'users', method, route, cls) - count(before, 'users', method, route, cls);
  assert.equal(moved('GET', '/api/users/me', '2xx'), N);
  assert.equal(moved('GET', '/api/users/me', '4xx'), 0);
  assert.equal(moved('GET', '/api/users/{id}', '4xx'), 5);
  assert.equal(moved('GET', '/api/users/{id}', '2xx'), 0);
  assert.equal(moved('', 'unmatched', '4xx'), 1);
  assert.equal(moved('PATCH', '/api/users/me', '2xx'), 0);
  assert.equal(moved('GET', 'metrics', '2xx'), 1, 'the first scrape counts once');
  // The histogram moved by the same number, within its buckets.
  const hc = hist(after, 'users', 'GET', '/api/users/me', 'count') - hist(before, 'users', 'GET', '/api/users/me', 'count');
  assert.equal(hc, N);
  const inf = `easychat_http_request_duration_seconds_bucket${series('users', 'GET', '/api/users/me', 'le="+Inf"')}`;
  assert.equal(after.get(inf) - before.get(inf), N);
  const sum = hist(after, 'users', 'GET', '/api/users/me', 'sum') - hist(before, 'users', 'GET', '/api/users/me', 'sum');
  assert.ok(sum > 0 && sum < N * 10, `latency sum ${sum}`);
  // Buckets are cumulative.
  let last = 0;
  for (const le of ['0.0005', '0.001', '0.0025', '0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '5', '10', '+Inf']) {
    const v = after.get(`easychat_http_request_duration_seconds_bucket${series('users', 'GET', '/api/users/me', `le="${le}"`)}`);
    assert.ok(v >= last, le);
    last = v;
  }
});

/** The users program run once as plain CGI with the stack's configuration. */
function cgi(uri, extraEnv = {}) {
  const bin = path.join(process.env.BIN_DIR, 'easychat-users');
  const r = spawnSync(bin, [], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, EASYCHAT_ENV: process.env.EASYCHAT_ENV, EASYCHAT_VAR: process.env.EASYCHAT_VAR,
      ASAN_OPTIONS: process.env.ASAN_OPTIONS ?? '', UBSAN_OPTIONS: process.env.UBSAN_OPTIONS ?? '',
      LSAN_OPTIONS: process.env.LSAN_OPTIONS ?? '',
      REQUEST_METHOD: 'GET', REQUEST_URI: uri, REMOTE_ADDR: '127.0.0.1', ...extraEnv },
    timeout: 60000, killSignal: 'SIGKILL',
  });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

test('a process started outside the front server (CGI) adds to the same counters', async () => {
  const before = await scrape('users');
  const out = cgi('/api/users/health');
  assert.match(out, /Status: 200|"status":"ok"/);
  const after = await scrape('users');
  assert.equal(count(after, 'users', 'GET', 'health', '2xx') - count(before, 'users', 'GET', 'health', '2xx'), 1);
});

test('without METRICS_TOKEN the endpoint is off (403), even from loopback', async () => {
  // The stack's configuration without the token.
  const file = path.join(os.tmpdir(), `metrics-off-${process.pid}.env`);
  fs.writeFileSync(file, fs.readFileSync(process.env.EASYCHAT_ENV, 'utf8').replace(/^METRICS_TOKEN=.*$/gm, ''));
  let out;
  try {
    out = cgi('/api/users/metrics', { EASYCHAT_ENV: file, HTTP_AUTHORIZATION: 'Bearer ' });
  } finally {
    fs.unlinkSync(file);
  }
  assert.match(out, /^Status: 403/m);
  assert.match(out, /"code":"forbidden"/);
  assert.doesNotMatch(out, /easychat_http/);
});
