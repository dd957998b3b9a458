// admin.test.mjs - easychat-admin (common/cli/admin.c) against the running stack: disable/enable, password reset, sessions, counts.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { Client, newUser, assertError, env } from '../lib/api.mjs';
import { connect } from '../lib/ws.mjs';
import { closeDb, sql } from '../lib/db.mjs';

after(closeDb);

/** Runs easychat-admin ARGS with the stack's configuration. */
function admin(args, input = '') {
  const bin = path.join(process.env.BIN_DIR, 'easychat-admin');
  const r = spawnSync(bin, args, {
    input,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, EASYCHAT_ENV: process.env.EASYCHAT_ENV,
      ASAN_OPTIONS: process.env.ASAN_OPTIONS ?? '', UBSAN_OPTIONS: process.env.UBSAN_OPTIONS ?? '',
      LSAN_OPTIONS: process.env.LSAN_OPTIONS ?? '' },
    timeout: 60000,
  });
  return { status: r.status, out: r.stdout, err: r.stderr };
}

async function login(username, password) {
  const c = new Client();
  const res = await c.post('/api/auth/login', { username, password });
  return { c, res };
}

test('disable closes the user\'s websockets at once and refuses their tokens and sign-in; enable lets them back', async () => {
  const u = await newUser();
  const w = await connect({ cookie: u.cookieHeader() });
  const r = admin(['disable', u.user.username.toUpperCase()]);
  assert.equal(r.status, 0, r.err);
  assert.equal((await w.closed).code, 4001);
  assertError(assert, await u.get('/api/users/me'), 401);
  assert.equal((await login(u.user.username, u.password)).res.status, 401);
  const [row] = await sql('SELECT is_active FROM users WHERE id = $1', [u.user.id]);
  assert.equal(row.is_active, false);
  assert.equal(admin(['enable', u.user.username]).status, 0);
  const again = await login(u.user.username, u.password);
  assert.equal(again.res.status, 200, again.res.text);
  assert.equal((await again.c.get('/api/users/me')).status, 200);
});

test('reset-password takes the password from stdin, ends the sessions; a bad one changes nothing', async () => {
  const u = await newUser();
  let r = admin(['reset-password', u.user.username], 'short\n');
  assert.equal(r.status, 1);
  assert.match(r.err, /8 to 128/);
  assert.equal((await u.get('/api/users/me')).status, 200, 'a refused reset ends no session');
  r = admin(['reset-password', u.user.username], 'a brand new passphrase\n');
  assert.equal(r.status, 0, r.err);
  assertError(assert, await u.get('/api/users/me'), 401);
  assert.equal((await login(u.user.username, u.password)).res.status, 401);
  assert.equal((await login(u.user.username, 'a brand new passphrase')).res.status, 200);
});

test('sessions lists them; revoke-sessions ends them all', async () => {
  const u = await newUser();
  const second = await login(u.user.username, u.password);
  let r = admin(['sessions', u.user.username]);
  assert.equal(r.status, 0, r.err);
  assert.equal(r.out.trim().split('\n').filter((l) => / open$/.test(l)).length, 2, r.out);
  r = admin(['revoke-sessions', u.user.username]);
  assert.equal(r.status, 0, r.err);
  assertError(assert, await u.get('/api/users/me'), 401);
  assertError(assert, await second.c.get('/api/users/me'), 401);
  r = admin(['sessions', u.user.username]);
  assert.equal(r.out.trim().split('\n').filter((l) => / open$/.test(l)).length, 0, r.out);
});

test('counts; unknown users and bad usage fail with a message', async () => {
  await newUser();
  const r = admin(['counts']);
  assert.equal(r.status, 0, r.err);
  const counts = Object.fromEntries(r.out.trim().split('\n').map((l) => l.split(' ')));
  const [row] = await sql('SELECT count(*)::int AS n FROM users');
  assert.equal(Number(counts.users), row.n);
  for (const k of ['disabled_users', 'open_sessions', 'groups', 'rooms', 'messages']) {
    assert.match(counts[k] ?? '', /^\d+$/, k);
  }
  const none = admin(['disable', 'no_such_user_here']);
  assert.equal(none.status, 1);
  assert.match(none.err, /no user/);
  assert.equal(admin(['frobnicate', 'x']).status, 1);
  assert.equal(admin([]).status, 2);
  assert.ok(env.baseUrl);
});
