// limits.test.mjs - request rate limits, the sign-up hashing cap and
// TRUSTED_PROXIES (issue 11 items 7 and 8, issue 15 item 5). Small limits
// and proxy settings are given to one program run as plain CGI (the same
// binary, the stack's PostgreSQL and Redis); the stack itself runs with
// raised limits because every test client shares 127.0.0.1.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Client, raw, unique, newUser, assertError, PASSWORD } from '../lib/api.mjs';
import { cgi } from '../lib/cgi.mjs';
import { sql, redis, closeDb } from '../lib/db.mjs';

after(closeDb);

/** A fresh documentation-range address, so that each test has its own buckets. */
let next = 1;
const addr = () => `198.51.100.${(process.pid + next++) % 250 + 1}`;
const bearer = async () => { const u = await newUser(); await u.useBearer(); return u; };

function assertLimited(res) {
  assert.equal(res.status, 429, res.text);
  assert.equal(res.json.error.code, 'rate_limited', res.text);
  assert.equal(typeof res.json.error.message, 'string');
  assert.match(res.headers['content-type'], /^application\/json/);
  assert.ok(res.headers['x-request-id']);
  const retry = Number(res.headers['retry-after']);
  assert.ok(Number.isInteger(retry) && retry >= 1, `Retry-After ${res.headers['retry-after']}`);
  return retry;
}

test('writes: a burst over the per-user bucket is refused with 429 and changes nothing', async () => {
  const u = await bearer();
  const env = { RATE_WRITE_PER_USER: '3/60' };
  const auth = { Authorization: `Bearer ${u.bearer}` };
  const names = [];
  for (let i = 0; i < 3; i++) {
    names.push(unique('rl'));
    const res = await cgi('groups', { method: 'POST', path: '/api/groups', json: { name: names[i] }, headers: auth, env, remoteAddr: addr() });
    assert.equal(res.status, 201, res.text);
  }
  const extra = unique('rl');
  const res = await cgi('groups', { method: 'POST', path: '/api/groups', json: { name: extra }, headers: auth, env, remoteAddr: addr() });
  const retry = assertLimited(res);
  assert.ok(retry <= 20, `one token comes back within 60/3 s, not ${retry}`);
  assert.equal((await sql('SELECT 1 FROM groups WHERE name = $1', [extra])).length, 0);
  // Reads are not limited; another user is not affected.
  assert.equal((await cgi('groups', { path: '/api/groups', headers: auth, env })).status, 200);
  const v = await bearer();
  const other = await cgi('groups', { method: 'POST', path: '/api/groups', json: { name: unique('rl') },
    headers: { Authorization: `Bearer ${v.bearer}` }, env, remoteAddr: addr() });
  assert.equal(other.status, 201, other.text);
});

test('writes: the per-address bucket covers every program; logout is never limited', async () => {
  const a = addr();
  const env = { RATE_WRITE_PER_ADDR: '2/60' };
  const u = await bearer();
  const auth = { Authorization: `Bearer ${u.bearer}` };
  assert.equal((await cgi('auth', { method: 'POST', path: '/api/auth/ws-ticket', headers: auth, env, remoteAddr: a })).status, 200);
  assert.equal((await cgi('users', { method: 'PATCH', path: '/api/users/me', json: { bio: 'one' }, headers: auth, env, remoteAddr: a })).status, 200);
  assertLimited(await cgi('users', { method: 'PATCH', path: '/api/users/me', json: { bio: 'two' }, headers: auth, env, remoteAddr: a }));
  assertLimited(await cgi('auth', { method: 'POST', path: '/api/auth/login', json: { username: u.user.username, password: PASSWORD }, env, remoteAddr: a }));
  assert.equal((await sql('SELECT bio FROM profiles WHERE user_id = $1', [u.user.id]))[0].bio, 'one');
  const out = await cgi('auth', { method: 'POST', path: '/api/auth/logout', json: { refresh: u.refresh }, headers: auth, env, remoteAddr: a });
  assert.equal(out.status, 204, out.text);
  // Another address is not affected.
  const v = await bearer();
  assert.equal((await cgi('users', { method: 'PATCH', path: '/api/users/me', json: { bio: 'x' },
    headers: { Authorization: `Bearer ${v.bearer}` }, env, remoteAddr: addr() })).status, 200);
});

test('sign-up: per-address bucket', async () => {
  const a = addr();
  const env = { RATE_SIGNUP_PER_ADDR: '2/3600' };
  for (let i = 0; i < 2; i++) {
    const res = await cgi('auth', { method: 'POST', path: '/api/auth/signup', json: { username: unique('su'), password: PASSWORD }, env, remoteAddr: a });
    assert.equal(res.status, 201, res.text);
  }
  const name = unique('su');
  const res = await cgi('auth', { method: 'POST', path: '/api/auth/signup', json: { username: name, password: PASSWORD }, env, remoteAddr: a });
  assertLimited(res);
  assert.equal((await sql('SELECT 1 FROM users WHERE username = $1', [name])).length, 0);
  const ok = await cgi('auth', { method: 'POST', path: '/api/auth/signup', json: { username: name, password: PASSWORD }, env, remoteAddr: addr() });
  assert.equal(ok.status, 201, ok.text);
});

test('sign-up: password hashing is capped stack-wide (429 when no slot frees up)', async () => {
  const existing = await newUser();
  const r = await redis();
  const name = unique('slot');
  try {
    // Somebody else holds the only slot (ARGON2_SIGNUP_SLOTS=1).
    await r.zAdd('rl:slots:signup', { score: Date.now(), value: 'held-by-test' });
    const started = Date.now();
    const res = await new Client().post('/api/auth/signup', { username: name, password: PASSWORD });
    assert.equal(assertLimited(res), 1);
    assert.ok(Date.now() - started >= 900, 'waited for a slot first');
    assert.equal((await sql('SELECT 1 FROM users WHERE username = $1', [name])).length, 0);
    // Sign-ins need no slot.
    const login = await new Client().post('/api/auth/login', { username: existing.user.username, password: PASSWORD });
    assert.equal(login.status, 200, login.text);
  } finally {
    await r.zRem('rl:slots:signup', 'held-by-test');
    await r.quit();
  }
  const c = new Client();
  await c.signup(name);
  assert.equal((await c.get('/api/auth/me')).status, 200);
});

test('proxies: forwarded headers from an untrusted address are ignored', async () => {
  const r = await redis();
  try {
    const forged = '203.0.113.66';
    await r.del(`rl:login:addr:${forged}`);
    // Through lighttpd: the test stack trusts no proxy.
    let res = await raw('/api/auth/token', { method: 'POST', json: { username: unique('nobody'), password: 'wrong-password' },
      headers: { 'X-Forwarded-For': forged, Forwarded: `for=${forged}` } });
    assert.equal(res.status, 401);
    assert.equal(await r.exists(`rl:login:addr:${forged}`), 0);
    // From an address outside TRUSTED_PROXIES.
    const peer = addr();
    await r.del(`rl:login:addr:${peer}`);
    res = await cgi('auth', { method: 'POST', path: '/api/auth/token', json: { username: unique('nobody'), password: 'wrong-password' },
      headers: { 'X-Forwarded-For': forged }, remoteAddr: peer, env: { TRUSTED_PROXIES: '10.0.0.0/8' } });
    assert.equal(res.status, 401, res.text);
    assert.equal(await r.exists(`rl:login:addr:${forged}`), 0);
    assert.equal(await r.get(`rl:login:addr:${peer}`), '1');
  } finally { await r.quit(); }
});

test('proxies: behind a trusted proxy each client has its own address limit', async () => {
  const env = { TRUSTED_PROXIES: '10.0.0.0/8, ::1', LOGIN_FAILS_PER_ADDR: '3' };
  const proxy = '10.20.30.40';
  const alice = addr();
  const bob = addr();
  const u = await newUser();
  const r = await redis();
  try {
    for (let i = 0; i < 3; i++) {
      // The client forges a hop; the proxy appends the real one.
      const res = await cgi('auth', { method: 'POST', path: '/api/auth/token', json: { username: unique('nobody'), password: 'wrong-password' },
        headers: { 'X-Forwarded-For': `1.2.3.4, ${alice}` }, remoteAddr: proxy, env });
      assert.equal(res.status, 401, res.text);
    }
    assert.equal(await r.get(`rl:login:addr:${alice}`), '3');
    assert.equal(await r.exists(`rl:login:addr:${proxy}`), 0);
    assert.equal(await r.exists('rl:login:addr:1.2.3.4'), 0);
    const locked = await cgi('auth', { method: 'POST', path: '/api/auth/token', json: { username: u.user.username, password: PASSWORD },
      headers: { 'X-Forwarded-For': alice }, remoteAddr: proxy, env });
    assertLimited(locked);
    // Bob, behind the same proxy, signs in.
    const ok = await cgi('auth', { method: 'POST', path: '/api/auth/token', json: { username: u.user.username, password: PASSWORD },
      headers: { 'X-Forwarded-For': bob }, remoteAddr: proxy, env });
    assert.equal(ok.status, 200, ok.text);
    // RFC 7239 Forwarded, when configured, through two trusted proxies.
    const carol = addr();
    const fwd = await cgi('auth', { method: 'POST', path: '/api/auth/token', json: { username: unique('nobody'), password: 'wrong-password' },
      headers: { Forwarded: `for=9.9.9.9, for="${carol}:5555";proto=https, for=10.0.0.7`, 'X-Forwarded-For': '8.8.8.8' },
      remoteAddr: proxy, env: { ...env, TRUSTED_PROXY_HEADER: 'forwarded' } });
    assert.equal(fwd.status, 401, fwd.text);
    assert.equal(await r.get(`rl:login:addr:${carol}`), '1');
    assert.equal(await r.exists('rl:login:addr:8.8.8.8'), 0);
  } finally { await r.quit(); }
});

test('proxies: a malformed TRUSTED_PROXIES stops the program at start', async () => {
  const res = await cgi('auth', { path: '/api/auth/providers', env: { TRUSTED_PROXIES: '10.0.0.0/33' } });
  assert.notEqual(res.code, 0);
  assert.equal(res.status, 0);
  assert.match(res.stderr, /TRUSTED_PROXIES/);
  const bad = await cgi('auth', { path: '/api/auth/providers', env: { RATE_WRITE_PER_USER: 'lots' } });
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /RATE_WRITE_PER_USER/);
  assert.equal((await cgi('auth', { path: '/api/auth/providers' })).status, 200);
});
