// auth.test.mjs - every auth endpoint and its error cases, through
// lighttpd against the real PostgreSQL and Redis.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Client, raw, unique, newUser, assertError, parseSetCookies, stack,
  env, PASSWORD, sleep } from '../lib/api.mjs';
import { sql, redis, closeDb } from '../lib/db.mjs';

after(closeDb);

const json = (o) => ({ 'Content-Type': 'application/json', ...o });

async function countUsers() {
  return Number((await sql('SELECT count(*) AS n FROM users'))[0].n);
}

test('GET /api/auth/me without credentials is a 401 JSON error', async () => {
  const res = await raw('/api/auth/me');
  assertError(assert, res, 401, 'not_authenticated');
});

test('X-Request-Id is echoed when valid and generated otherwise', async () => {
  let res = await raw('/api/auth/providers', { headers: { 'X-Request-Id': 'abc.123_x-y' } });
  assert.equal(res.headers['x-request-id'], 'abc.123_x-y');
  res = await raw('/api/auth/providers', { headers: { 'X-Request-Id': 'bad id!' } });
  assert.match(res.headers['x-request-id'], /^[A-Za-z0-9._-]{1,64}$/);
  assert.notEqual(res.headers['x-request-id'], 'bad id!');
});

test('unknown paths are 404 and wrong methods 405 with Allow, as JSON', async () => {
  assertError(assert, await raw('/api/auth/nope'), 404, 'not_found');
  assertError(assert, await raw('/api/unknown-resource'), 404, 'not_found');
  const res = await raw('/api/auth/me', { method: 'DELETE' });
  assertError(assert, res, 405, 'method_not_allowed');
  assert.equal(res.headers.allow, 'GET');
});

test('providers lists what the login page offers', async () => {
  const res = await raw('/api/auth/providers');
  assert.equal(res.status, 200);
  // the test stack sets mail up (a local SMTP sink), so password reset is
  // offered, and turns e-mail verification on
  assert.deepEqual(res.json, { password: true, google: false, github: false, password_reset: true, email_verify: true });
  assertError(assert, await raw('/api/auth/oauth/google/start'), 404, 'not_enabled');
  assertError(assert, await raw('/api/auth/oauth/github/callback?code=x'), 404, 'not_enabled');
  assertError(assert, await raw('/api/auth/oauth/myspace/start'), 404, 'not_found');
});

test('signup creates the user, signs in with HttpOnly SameSite cookies', async () => {
  const c = new Client();
  const username = unique('Alice');
  const res = await c.post('/api/auth/signup', { username, password: PASSWORD, email: 'a@example.org' });
  assert.equal(res.status, 201, res.text);
  const u = res.json.user;
  assert.equal(u.username, username);
  assert.equal(typeof u.id, 'number');
  assert.equal(u.email, 'a@example.org');
  assert.equal(u.profile.gender, 'Prefer not to say');
  assert.match(u.profile.icon_url, /^\/media\/[0-9a-f]{2}\/[0-9a-f]{64}\.png$/);
  assert.match(u.profile.wallpaper_url, /^\/media\/defaults\/wallpaper-\d\.png$/);
  assert.match(u.profile.date_joined, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  const cookies = parseSetCookies(res.setCookies);
  assert.ok(cookies.access && cookies.refresh);
  for (const c2 of [cookies.access, cookies.refresh]) {
    assert.equal(c2.attrs.httponly, true);
    assert.equal(c2.attrs.samesite, 'Lax');
    assert.equal(c2.attrs.secure, undefined, 'no Secure on an http origin');
  }
  assert.equal(cookies.access.attrs.path, '/');
  assert.equal(cookies.refresh.attrs.path, '/api');
  const me = await c.get('/api/auth/me');
  assert.equal(me.status, 200);
  assert.equal(me.json.user.id, u.id);
  // The password is stored as argon2id, never in clear.
  const [row] = await sql('SELECT password_hash FROM users WHERE id = $1', [u.id]);
  assert.match(row.password_hash, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
});

test('signup refuses a taken username regardless of case', async () => {
  const name = unique('Bob');
  await new Client().signup(name);
  const res = await new Client().post('/api/auth/signup', { username: name.toUpperCase(), password: PASSWORD });
  assertError(assert, res, 409, 'username_taken');
});

test('signup validation errors name the fields and change nothing', async () => {
  const before = await countUsers();
  const cases = [
    [{ username: 'abc', password: PASSWORD }, 'username'],
    [{ username: 'a'.repeat(46), password: PASSWORD }, 'username'],
    [{ username: 'bad name!', password: PASSWORD }, 'username'],
    [{ username: unique(), password: 'short' }, 'password'],
    [{ username: unique(), password: 'x'.repeat(129) }, 'password'],
    [{ username: unique(), password: PASSWORD, email: 'not-an-email' }, 'email'],
    [{ username: unique(), password: 12345678 }, 'password'],
    [{ username: unique(), password: PASSWORD, is_admin: true }, 'is_admin'],
    [{ password: PASSWORD }, 'username'],
  ];
  for (const [body, field] of cases) {
    const res = await new Client().post('/api/auth/signup', body);
    assertError(assert, res, 400, 'validation_failed');
    assert.ok(res.json.error.fields[field], `${field} in ${res.text}`);
  }
  // Malformed bodies.
  const c = new Client();
  assertError(assert, await c.req('POST', '/api/auth/signup', undefined,
    { body: '{"username": ', headers: json() }), 400, 'bad_json');
  assertError(assert, await c.req('POST', '/api/auth/signup', undefined,
    { body: '["x"]', headers: json() }), 400, 'bad_json');
  assertError(assert, await c.req('POST', '/api/auth/signup', undefined,
    { body: Buffer.from('{"username":"ab\xffcdef","password":"12345678"}', 'latin1'), headers: json() }), 400);
  assertError(assert, await c.req('POST', '/api/auth/signup', undefined,
    { body: 'username=x', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }), 415);
  const deep = '['.repeat(40) + ']'.repeat(40);
  assertError(assert, await c.req('POST', '/api/auth/signup', undefined,
    { body: `{"username": ${deep}}`, headers: json() }), 400, 'bad_json');
  assert.equal(await countUsers(), before);
});

test('a JSON body over 1 MiB is refused with 413 before it is parsed', async () => {
  const big = JSON.stringify({ username: unique(), password: PASSWORD, pad: 'x'.repeat(1100000) });
  const res = await new Client().req('POST', '/api/auth/signup', undefined, { body: big, headers: json() });
  assertError(assert, res, 413, 'too_large');
});

test('lighttpd itself answers an oversized upload with a JSON 413', async () => {
  const res = await raw('/api/auth/signup', { method: 'POST', body: Buffer.alloc(9 * 1024 * 1024, 32),
    headers: json({ Origin: env.origin }) });
  assert.equal(res.status, 413);
  assert.match(res.headers['content-type'], /^application\/json/);
  assert.ok(res.json.error.code);
});

test('login sets cookies; wrong password and unknown user are 401', async () => {
  const u = await newUser();
  const c = new Client();
  let res = await c.post('/api/auth/login', { username: u.user.username.toUpperCase(), password: PASSWORD });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json.user.id, u.user.id);
  assert.ok(c.cookies.get('access') && c.cookies.get('refresh'));
  assert.equal((await c.get('/api/auth/me')).json.user.id, u.user.id);
  res = await new Client().post('/api/auth/login', { username: u.user.username, password: 'wrong password' });
  assertError(assert, res, 401, 'invalid_credentials');
  res = await new Client().post('/api/auth/login', { username: unique('ghost'), password: PASSWORD });
  assertError(assert, res, 401, 'invalid_credentials');
});

test('bearer tokens: /token, Authorization header, cookies ignored', async () => {
  const u = await newUser();
  const tokens = await u.useBearer();
  assert.equal(tokens.expires_in > 0, true);
  assert.ok(tokens.refresh);
  const res = await raw('/api/auth/me', { headers: { Authorization: `Bearer ${tokens.access}` } });
  assert.equal(res.status, 200);
  assert.equal(res.json.user.id, u.user.id);
  // A bad bearer is refused even when valid cookies come along.
  const other = await newUser();
  const bad = await raw('/api/auth/me', { headers: { Authorization: 'Bearer not.a.token', Cookie: other.cookieHeader() } });
  assertError(assert, bad, 401, 'token_invalid');
  // A bearer request is judged by the token alone: no Origin needed.
  const t = await raw('/api/auth/ws-ticket', { method: 'POST', headers: { Authorization: `Bearer ${tokens.access}`, Origin: 'https://evil.example' } });
  assert.equal(t.status, 200);
});

test('tampered and alg:none access tokens are refused', async () => {
  const u = await newUser();
  const { access } = await u.useBearer();
  const [h, p, s] = access.split('.');
  const payload = JSON.parse(Buffer.from(p, 'base64url'));
  payload.sub = payload.sub + 1;
  const forged = `${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${s}`;
  assertError(assert, await raw('/api/auth/me', { headers: { Authorization: `Bearer ${forged}` } }), 401);
  const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${p}.`;
  assertError(assert, await raw('/api/auth/me', { headers: { Authorization: `Bearer ${none}` } }), 401);
  assertError(assert, await raw('/api/auth/me', { headers: { Authorization: `Basic abc` } }), 401);
});

test('refresh with cookies rotates both cookies', async () => {
  const u = await newUser();
  const oldRefresh = u.cookies.get('refresh');
  const res = await u.post('/api/auth/refresh');
  assert.equal(res.status, 200, res.text);
  assert.match(res.json.access_expires_at, /Z$/);
  assert.notEqual(u.cookies.get('refresh'), oldRefresh);
  assert.equal((await u.get('/api/auth/me')).status, 200);
});

test('refresh in the body rotates; reuse revokes the whole family', async () => {
  const u = await newUser();
  const t1 = await u.useBearer();
  let res = await raw('/api/auth/refresh', { method: 'POST', json: { refresh: t1.refresh } });
  assert.equal(res.status, 200, res.text);
  const t2 = res.json;
  assert.ok(t2.access && t2.refresh && t2.refresh !== t1.refresh);
  assert.equal((await raw('/api/auth/me', { headers: { Authorization: `Bearer ${t2.access}` } })).status, 200);
  // Presenting the spent token again: 401 and the family is revoked...
  res = await raw('/api/auth/refresh', { method: 'POST', json: { refresh: t1.refresh } });
  assertError(assert, res, 401, 'token_invalid');
  // ...so the successor refresh token and its access token stop working.
  res = await raw('/api/auth/refresh', { method: 'POST', json: { refresh: t2.refresh } });
  assertError(assert, res, 401, 'token_invalid');
  res = await raw('/api/auth/me', { headers: { Authorization: `Bearer ${t2.access}` } });
  assertError(assert, res, 401, 'token_invalid');
  const rows = await sql('SELECT revoked_at FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.id = $1 AND s.revoked_at IS NOT NULL', [u.user.id]);
  assert.equal(rows.length, 1);
  // Unknown tokens are just refused.
  assertError(assert, await raw('/api/auth/refresh', { method: 'POST', json: { refresh: 'nope' } }), 401);
  assertError(assert, await raw('/api/auth/refresh', { method: 'POST', json: { refresh: 5 } }), 400);
  assertError(assert, await new Client().post('/api/auth/refresh'), 401);
});

test('refresh tokens are stored only as hashes', async () => {
  const u = await newUser();
  const t = await u.useBearer();
  assert.equal((await sql('SELECT 1 FROM refresh_tokens WHERE token_hash = $1', [t.refresh])).length, 0);
  const { createHash } = await import('node:crypto');
  const h = createHash('sha256').update(t.refresh).digest('hex');
  assert.equal((await sql('SELECT 1 FROM refresh_tokens WHERE token_hash = $1', [h])).length, 1);
});

test('an expired or missing access cookie is refreshed on the fly', async () => {
  const u = await newUser();
  const oldRefresh = u.cookies.get('refresh');
  u.cookies.delete('access');
  let res = await u.get('/api/auth/me');
  assert.equal(res.status, 200, res.text);
  const set = parseSetCookies(res.setCookies);
  assert.ok(set.access && set.access.value, 'a new access cookie');
  assert.ok(set.refresh && set.refresh.value !== oldRefresh, 'a rotated refresh cookie');
  // A garbage access cookie is treated like an expired one.
  u.cookies.set('access', 'garbage');
  res = await u.get('/api/auth/me');
  assert.equal(res.status, 200);
  // Without a usable refresh cookie: 401 and the cookies are cleared.
  const c = new Client();
  c.cookies.set('access', 'garbage');
  c.cookies.set('refresh', 'nope');
  res = await c.get('/api/auth/me');
  assertError(assert, res, 401, 'not_authenticated');
  assert.equal(c.cookies.size, 0);
});

test('logout revokes the session: cookies cleared, tokens stop working', async () => {
  const u = await newUser();
  const access = u.cookies.get('access');
  const refresh = u.cookies.get('refresh');
  const res = await u.post('/api/auth/logout');
  assert.equal(res.status, 204);
  const set = parseSetCookies(res.setCookies);
  assert.equal(set.access.attrs['max-age'], '0');
  assert.equal(set.refresh.attrs['max-age'], '0');
  assertError(assert, await raw('/api/auth/me', { headers: { Authorization: `Bearer ${access}` } }), 401);
  assertError(assert, await raw('/api/auth/refresh', { method: 'POST', json: { refresh } }), 401);
  // A bearer client logs out with its refresh token in the body.
  const b = await newUser();
  const t = await b.useBearer();
  assert.equal((await raw('/api/auth/logout', { method: 'POST', json: { refresh: t.refresh } })).status, 204);
  assertError(assert, await raw('/api/auth/me', { headers: { Authorization: `Bearer ${t.access}` } }), 401);
});

test('CSRF: cookie requests with a foreign or missing Origin are refused', async () => {
  const u = await newUser();
  let res = await u.post('/api/auth/ws-ticket', undefined, { headers: { Origin: 'https://evil.example' } });
  assertError(assert, res, 403, 'csrf');
  const noOrigin = new Client({ origin: null });
  noOrigin.cookies = u.cookies;
  res = await noOrigin.post('/api/auth/ws-ticket');
  assertError(assert, res, 403, 'csrf');
  res = await noOrigin.post('/api/auth/ws-ticket', undefined, { headers: { Referer: `${env.origin}/g/1` } });
  assert.equal(res.status, 200);
  res = await noOrigin.post('/api/auth/ws-ticket', undefined, { headers: { Referer: 'https://evil.example/' } });
  assertError(assert, res, 403, 'csrf');
  // Login CSRF: a foreign page cannot sign a browser in either.
  res = await new Client({ origin: 'https://evil.example' }).post('/api/auth/login',
    { username: u.user.username, password: PASSWORD });
  assertError(assert, res, 403, 'csrf');
  // Safe methods are not checked.
  res = await u.get('/api/auth/me', { headers: { Origin: 'https://evil.example' } });
  assert.equal(res.status, 200);
});

test('ws-ticket is one-time, short-lived and needs a session', async () => {
  assertError(assert, await new Client().post('/api/auth/ws-ticket'), 401);
  const u = await newUser();
  const res = await u.post('/api/auth/ws-ticket');
  assert.equal(res.status, 200);
  assert.match(res.json.ticket, /^[A-Za-z0-9_-]{20,}$/);
  const r = await redis();
  try {
    const v = await r.get(`ticket:${res.json.ticket}`);
    assert.match(v, new RegExp(`^${u.user.id}:\\d+$`));
    const ttl = await r.ttl(`ticket:${res.json.ticket}`);
    assert.ok(ttl > 0 && ttl <= 30, `ttl ${ttl}`);
  } finally { await r.quit(); }
});

test('login failures are rate limited per username, /token alike', async () => {
  const u = await newUser();
  const name = u.user.username;
  for (let i = 0; i < 10; i++) {
    const res = await raw('/api/auth/token', { method: 'POST', json: { username: name, password: 'wrong-password' } });
    assertError(assert, res, 401, 'invalid_credentials');
  }
  // Now even the right password is refused, on both endpoints.
  let res = await new Client().post('/api/auth/login', { username: name, password: PASSWORD });
  assertError(assert, res, 429, 'rate_limited');
  const retry = Number(res.headers['retry-after']);
  assert.ok(retry > 0 && retry <= 900, `Retry-After ${retry}`);
  res = await raw('/api/auth/token', { method: 'POST', json: { username: name.toUpperCase(), password: PASSWORD } });
  assertError(assert, res, 429, 'rate_limited');
  // Other users are not affected.
  const v = await newUser();
  res = await new Client().post('/api/auth/login', { username: v.user.username, password: PASSWORD });
  assert.equal(res.status, 200);
});

test('login failures are rate limited per client address', async () => {
  const r = await redis();
  const key = 'rl:login:addr:127.0.0.1';
  try {
    await r.del(key);
    const u = await newUser();
    for (let i = 0; i < 50; i++) {
      const res = await raw('/api/auth/token', { method: 'POST', json: { username: unique('nobody'), password: 'wrong-password' } });
      assert.equal(res.status, 401);
    }
    const res = await new Client().post('/api/auth/login', { username: u.user.username, password: PASSWORD });
    assertError(assert, res, 429, 'rate_limited');
    assert.ok(Number(res.headers['retry-after']) > 0);
  } finally {
    await r.del(key); // later suites log in from the same address
    await r.quit();
  }
});

test('PostgreSQL restart: 503 while down, recovery without restarting lighttpd', async () => {
  const u = await newUser();
  const t = await u.useBearer();
  stack('pg-stop');
  try {
    let res = await raw('/api/auth/me', { headers: { Authorization: `Bearer ${t.access}` } });
    assertError(assert, res, 503, 'unavailable');
    res = await new Client().post('/api/auth/signup', { username: unique(), password: PASSWORD });
    assertError(assert, res, 503, 'unavailable');
  } finally {
    stack('pg-start');
  }
  let res;
  for (let i = 0; i < 20; i++) {
    res = await raw('/api/auth/me', { headers: { Authorization: `Bearer ${t.access}` } });
    if (res.status === 200) break;
    await sleep(250);
  }
  assert.equal(res.status, 200, res.text);
  const c = new Client();
  await c.signup();
  assert.equal((await c.get('/api/auth/me')).status, 200);
});
