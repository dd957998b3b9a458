// auth-hardening.test.mjs - revocation that survives Redis faults, the
// idempotent refresh grace window, the Unicode lockout bypass and the
// Origin: null CSRF case (issue 11 items 4, 5, 9, 16), against the real
// stack: Redis is paused, stopped and restarted through conf/stack.sh.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Client, raw, unique, newUser, assertError, parseSetCookies, stack,
  env, PASSWORD, sleep } from '../lib/api.mjs';
import { sql, redis, closeDb } from '../lib/db.mjs';

after(closeDb);

const me = (access) => raw('/api/auth/me', { headers: { Authorization: `Bearer ${access}` } });

/** Polls `fn` until it resolves to a response with `status` (or `ms` pass). */
async function until(fn, status, ms) {
  const end = Date.now() + ms;
  let res;
  do {
    res = await fn();
    if (res.status === status) return res;
    await sleep(100);
  } while (Date.now() < end);
  return res;
}

/** Waits until the programs talk to Redis again after a restart. */
async function redisBack() {
  for (let i = 0; i < 50; i++) {
    const r = await redis().catch(() => null);
    if (r) { await r.quit(); return; }
    await sleep(100);
  }
  throw new Error('Redis did not come back');
}

test('CSRF: Origin null is refused even with a same-origin Referer', async () => {
  const u = await newUser();
  let res = await u.post('/api/auth/ws-ticket', undefined,
    { headers: { Origin: 'null', Referer: `${env.origin}/g/1` } });
  assertError(assert, res, 403, 'csrf');
  res = await u.post('/api/auth/logout', undefined,
    { headers: { Origin: 'null', Referer: `${env.origin}/` } });
  assertError(assert, res, 403, 'csrf');
  // Origin absent: the Referer still decides (unchanged).
  const noOrigin = new Client({ origin: null });
  noOrigin.cookies = u.cookies;
  res = await noOrigin.post('/api/auth/ws-ticket', undefined, { headers: { Referer: `${env.origin}/g/1` } });
  assert.equal(res.status, 200, res.text);
});

test('a KELVIN SIGN spelling of a locked-out username does not sign in', async () => {
  const name = `k${unique('kv').slice(1)}`;
  const u = new Client();
  await u.signup(name);
  const r = await redis();
  try {
    for (let i = 0; i < 10; i++) {
      const res = await raw('/api/auth/token', { method: 'POST', json: { username: name, password: 'wrong-password' } });
      assertError(assert, res, 401, 'invalid_credentials');
    }
    assertError(assert, await new Client().post('/api/auth/login', { username: name, password: PASSWORD }), 429, 'rate_limited');
    // U+212A folds to "k" in PostgreSQL's lower(): it must not find the
    // user, whatever the password, and still counts as a failure.
    const kelvin = `\u212A${name.slice(1)}`;
    const before = Number(await r.get(`rl:login:addr:127.0.0.1`) || 0);
    let res = await new Client().post('/api/auth/login', { username: kelvin, password: PASSWORD });
    assertError(assert, res, 401, 'invalid_credentials');
    res = await raw('/api/auth/token', { method: 'POST', json: { username: kelvin.toUpperCase(), password: PASSWORD } });
    assertError(assert, res, 401, 'invalid_credentials');
    assert.equal(Number(await r.get('rl:login:addr:127.0.0.1')), before + 2, 'failures still counted');
  } finally {
    await r.del('rl:login:addr:127.0.0.1'); // later suites sign in from here too
    await r.quit();
  }
});

test('refresh replay inside the grace window gets the same successor, a few times, then revokes', async () => {
  const u = await newUser();
  const r1 = u.cookies.get('refresh');
  const first = await u.post('/api/auth/refresh');
  assert.equal(first.status, 200, first.text);
  const got = parseSetCookies(first.setCookies);
  const r2 = got.refresh.value;
  const a2 = got.access.value;
  assert.notEqual(r2, r1);
  // The successor is stored sealed, never in clear.
  const h1 = createHash('sha256').update(r1).digest('hex');
  const [row] = await sql('SELECT successor_box FROM refresh_tokens WHERE token_hash = $1', [h1]);
  assert.ok(row.successor_box && !row.successor_box.includes(r2));
  // A replay (another client, only the spent refresh cookie) gets the very
  // same refresh and access tokens: nothing new is minted.
  for (let i = 0; i < 3; i++) {
    const thief = new Client();
    thief.cookies.set('refresh', r1);
    const res = await thief.get('/api/auth/me');
    assert.equal(res.status, 200, res.text);
    const set = parseSetCookies(res.setCookies);
    assert.equal(set.refresh.value, r2, 'the same successor');
    assert.equal(set.access.value, a2, 'the same access token');
  }
  // Past the allowed replays it is reuse: the family is revoked.
  const thief = new Client();
  thief.cookies.set('refresh', r1);
  assertError(assert, await thief.post('/api/auth/refresh'), 401, 'token_invalid');
  assertError(assert, await me(a2), 401, 'token_invalid');
  assertError(assert, await raw('/api/auth/refresh', { method: 'POST', json: { refresh: r2 } }), 401);
});

test('logout during a Redis write stall still ends the session (item 4a)', async () => {
  const u = await newUser();
  const t = await u.useBearer();
  assert.equal((await me(t.access)).status, 200);
  const r = await redis();
  try {
    await r.sendCommand(['CLIENT', 'PAUSE', '15000', 'WRITE']);
    const started = Date.now();
    const res = await raw('/api/auth/logout', { method: 'POST', json: { refresh: t.refresh },
      headers: { Authorization: `Bearer ${t.access}` } });
    // Durably revoked in PostgreSQL: the answer is success, not 503.
    assert.equal(res.status, 204, res.text);
    const revoked = await sql('SELECT id FROM sessions WHERE user_id = $1 AND revoked_at IS NOT NULL', [u.user.id]);
    assert.equal(revoked.length, 1, 'revoked in PostgreSQL');
    // Every program refuses the token within its poll interval, while
    // Redis still cannot take the mark.
    const gone = await until(() => me(t.access), 401, 2500);
    assertError(assert, gone, 401, 'token_invalid');
    for (let i = 0; i < 6; i++) assertError(assert, await me(t.access), 401, 'token_invalid');
    assert.ok(Date.now() - started < 15000, 'checked while Redis writes were paused');
  } finally {
    await r.sendCommand(['CLIENT', 'UNPAUSE']).catch(() => {});
    await r.quit();
  }
  assertError(assert, await me(t.access), 401, 'token_invalid');
  // A retried logout answers 204 again (idempotent).
  const again = await raw('/api/auth/logout', { method: 'POST', json: { refresh: t.refresh } });
  assert.equal(again.status, 204);
});

test('refresh reuse detected while Redis is down revokes the family everywhere (item 4b)', async () => {
  const u = await newUser();
  const t1 = await u.useBearer();
  const rot = await raw('/api/auth/refresh', { method: 'POST', json: { refresh: t1.refresh } });
  assert.equal(rot.status, 200, rot.text);
  const t2 = rot.json;
  stack('redis-stop');
  try {
    const res = await raw('/api/auth/refresh', { method: 'POST', json: { refresh: t1.refresh } });
    assertError(assert, res, 401, 'token_invalid');
    // Without Redis, PostgreSQL answers for the revocation list.
    assertError(assert, await me(t2.access), 401, 'token_invalid');
  } finally {
    stack('redis-start');
  }
  await redisBack();
  for (let i = 0; i < 6; i++) assertError(assert, await me(t2.access), 401, 'token_invalid');
  assertError(assert, await raw('/api/auth/refresh', { method: 'POST', json: { refresh: t2.refresh } }), 401);
});

test('a Redis restart does not bring logged-out tokens back (item 4c)', async () => {
  const u = await newUser();
  const t = await u.useBearer();
  const live = await newUser();
  const tl = await live.useBearer();
  assert.equal((await raw('/api/auth/logout', { method: 'POST', json: { refresh: t.refresh } })).status, 204);
  assertError(assert, await me(t.access), 401, 'token_invalid');
  stack('redis-stop');
  stack('redis-start');
  await redisBack();
  const r = await redis();
  try {
    const rows = await sql('SELECT id FROM sessions WHERE user_id = $1 AND revoked_at IS NOT NULL', [u.user.id]);
    assert.equal(rows.length, 1);
    assert.equal(await r.exists(`revoked:session:${rows[0].id}`), 0, 'the mark is gone with Redis');
  } finally { await r.quit(); }
  for (let i = 0; i < 6; i++) assertError(assert, await me(t.access), 401, 'token_invalid');
  // Sessions that were never revoked keep working.
  const ok = await until(() => me(tl.access), 200, 3000);
  assert.equal(ok.status, 200, ok.text);
});
