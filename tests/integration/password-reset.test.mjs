// password-reset.test.mjs - "forgot password" end to end: the request, the
// outbox, easychat-deliver, a real SMTP server (the stack's aiosmtpd sink,
// whose maildir this reads), the link, and what using it does.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { Client, assertError, unique, stack, sleep, env } from '../lib/api.mjs';
import { connect } from '../lib/ws.mjs';
import { cgi } from '../lib/cgi.mjs';
import { mailsTo, waitMails, resetToken, verifyToken } from '../lib/mail.mjs';
import { sql, closeDb } from '../lib/db.mjs';

after(closeDb);

/** A POST from a signed-out browser (with its Origin). */
const post = (p, json) => new Client().post(p, json);

/** The password reset mails (not the verification mail of sign-up). */
const RESET = /\/reset-password#token=/;

/** A user whose address is verified (the test stack has EMAIL_VERIFY=1):
 * only verified addresses get reset links. */
async function userWithEmail() {
  const email = `${unique('m')}@example.org`;
  const c = new Client();
  await c.signup(unique(), 'correct horse battery', { email });
  const token = verifyToken((await waitMails(email, 1))[0]);
  assert.equal((await post('/api/auth/email/verify', { token })).status, 204);
  return { c, email };
}

test('the link arrives by mail, sets the new password once, and signs the account out everywhere', async () => {
  const { c, email } = await userWithEmail();
  const w = await connect({ cookie: c.cookieHeader() });
  const t0 = Date.now();
  const res = await post('/api/auth/password/forgot', { email: email.toUpperCase() });
  assert.equal(res.status, 202, res.text);
  assert.deepEqual(res.json, {});
  const [mail] = await waitMails(email, 1, 10000, RESET);
  assert.ok(mail, 'no mail arrived');
  console.log(`# request to mail in the sink: ${Date.now() - t0} ms`);
  assert.match(mail, /^Subject: Reset your Easy Chat password/m);
  assert.match(mail, new RegExp(`"${c.user.username}"`));
  assert.match(mail, /^From: <chat@easychat\.test>/m);
  const token = resetToken(mail);
  assert.ok(mail.includes(`${env.origin}/reset-password#token=`), 'the link points at the site');
  // the outbox keeps nothing once sent; the token is stored hashed only
  assert.equal((await sql('SELECT count(*)::int AS n FROM outbox WHERE payload::text LIKE $1', [`%${token}%`]))[0].n, 0);
  assert.equal((await sql('SELECT count(*)::int AS n FROM password_resets WHERE token_hash = $1', [token]))[0].n, 0);

  // bad input changes nothing
  assertError(assert, await post('/api/auth/password/reset', { token, password: 'short' }), 400, 'validation_failed');
  const wrong = await post('/api/auth/password/reset', { token: `${token}x`, password: 'a new long password' });
  assertError(assert, wrong, 400, 'validation_failed');
  assert.match(wrong.json.error.fields.token, /invalid, already used or expired/);
  assert.equal((await c.get('/api/users/me')).status, 200, 'still signed in after refused attempts');

  const ok = await post('/api/auth/password/reset', { token, password: 'a new long password' });
  assert.equal(ok.status, 204, ok.text);
  assert.equal((await w.closed).code, 4001, 'the websocket is closed at once');
  assertError(assert, await c.get('/api/users/me'), 401);
  assert.equal((await new Client().post('/api/auth/login', { username: c.user.username, password: 'correct horse battery' })).status, 401);
  assert.equal((await new Client().post('/api/auth/login', { username: c.user.username, password: 'a new long password' })).status, 200);
  // once only
  assertError(assert, await post('/api/auth/password/reset', { token, password: 'yet another password' }), 400, 'validation_failed');
});

test('an unknown address gets the same answer and no mail; a known one gets a mail per account', async () => {
  const unknown = `${unique('nobody')}@example.org`;
  const a = await post('/api/auth/password/forgot', { email: unknown });
  const { email } = await userWithEmail();
  const b = await post('/api/auth/password/forgot', { email });
  assert.equal(a.status, 202);
  assert.equal(b.status, 202);
  assert.equal(a.text, b.text);
  assert.equal((await waitMails(email, 1, 10000, RESET)).length, 1);
  await sleep(500);
  assert.equal(mailsTo(unknown).length, 0);
});

test('a link expires, and a used link uses up the account\'s other links', async () => {
  const { c, email } = await userWithEmail();
  for (let i = 0; i < 2; i++) {
    assert.equal((await post('/api/auth/password/forgot', { email })).status, 202);
  }
  const mails = await waitMails(email, 2, 10000, RESET);
  assert.equal(mails.length, 2);
  const [first, second] = mails.map(resetToken);
  await sql("UPDATE password_resets SET expires_at = now() - interval '1 second' WHERE user_id = $1 AND created_at = (SELECT min(created_at) FROM password_resets WHERE user_id = $1)", [c.user.id]);
  const expired = await post('/api/auth/password/reset', { token: first, password: 'a new long password' });
  const fresh = await post('/api/auth/password/reset', { token: second, password: 'a new long password' });
  // whichever mail carried the expired link, exactly one works
  assert.deepEqual([expired.status, fresh.status].sort(), [204, 400]);
  const [{ n }] = await sql('SELECT count(*)::int AS n FROM password_resets WHERE user_id = $1 AND used_at IS NULL', [c.user.id]);
  assert.equal(n, 0);
});

test('at most RESET_PER_ACCOUNT mails per account per hour; the answer does not change', async () => {
  const { email } = await userWithEmail();
  for (let i = 0; i < 5; i++) {
    const r = await post('/api/auth/password/forgot', { email });
    assert.equal(r.status, 202);
  }
  await waitMails(email, 3, 10000, RESET);
  await sleep(700);
  assert.equal(mailsTo(email, RESET).length, 3);
});

test('bad input: a clear JSON error and nothing queued', async () => {
  const before = (await sql('SELECT count(*)::int AS n FROM password_resets'))[0].n;
  for (const json of [{}, { email: 'not-an-address' }, { email: '' }, { email: 'a@b.c', extra: 1 }, { email: 5 }]) {
    assertError(assert, await post('/api/auth/password/forgot', json), 400);
  }
  for (const json of [{}, { token: 'x' }, { password: 'a long enough one' }, { token: 'x', password: 'a long enough one', more: 1 }]) {
    assertError(assert, await post('/api/auth/password/reset', json), 400);
  }
  assert.equal((await sql('SELECT count(*)::int AS n FROM password_resets'))[0].n, before);
});

test('RESET_PER_ADDR requests per client address per hour, then 429 with Retry-After', async () => {
  const addr = `10.77.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;
  const ask = () => cgi('auth', { method: 'POST', path: '/api/auth/password/forgot', remoteAddr: addr,
    json: { email: `${unique('x')}@example.org` }, env: { RESET_PER_ADDR: '3' } });
  for (let i = 0; i < 3; i++) assert.equal((await ask()).status, 202);
  const r = await ask();
  assert.equal(r.status, 429, r.text);
  assert.equal(r.json.error.code, 'rate_limited');
  assert.equal(r.headers['retry-after'], '3600');
  assert.match(r.json.error.message, /try again in an hour/);
});

test('without mail configured the endpoint says so (404 not_enabled)', async () => {
  const r = await cgi('auth', { method: 'POST', path: '/api/auth/password/forgot',
    json: { email: 'a@example.org' }, env: { MAIL_ENABLED: '0' } });
  assert.equal(r.status, 404, r.text);
  assert.equal(r.json.error.code, 'not_enabled');
});

test('a job waits in the outbox while the deliverer is down and is sent once when it is back', async () => {
  // verified (by mail) while the deliverer still runs
  const { email } = await userWithEmail();
  stack('deliver-kill');
  try {
    assert.equal((await post('/api/auth/password/forgot', { email })).status, 202);
    await sleep(600);
    assert.equal(mailsTo(email, RESET).length, 0);
    const [{ n }] = await sql("SELECT count(*)::int AS n FROM outbox WHERE payload->>'to' = $1", [email]);
    assert.equal(n, 1, 'the job is durable');
    // one pass of the deliverer, as cron would run it
    const bin = path.join(process.env.BIN_DIR, 'easychat-deliver');
    const once = spawnSync(bin, ['--once'], { encoding: 'utf8', timeout: 30000,
      env: { PATH: process.env.PATH, EASYCHAT_ENV: process.env.EASYCHAT_ENV,
        ASAN_OPTIONS: process.env.ASAN_OPTIONS ?? '', LSAN_OPTIONS: process.env.LSAN_OPTIONS ?? '',
        UBSAN_OPTIONS: process.env.UBSAN_OPTIONS ?? '' } });
    assert.equal(once.status, 0, once.stderr);
    assert.equal((await waitMails(email, 1, 10000, RESET)).length, 1);
    assert.equal((await sql("SELECT count(*)::int AS n FROM outbox WHERE payload->>'to' = $1", [email]))[0].n, 0);
  } finally {
    stack('deliver-start');
  }
  // the restarted deliverer sends new jobs again
  const again = await userWithEmail();
  await post('/api/auth/password/forgot', { email: again.email });
  assert.equal((await waitMails(again.email, 1, 10000, RESET)).length, 1);
});

test('a newer session (bearer) made before the reset is revoked too', async () => {
  const { c, email } = await userWithEmail();
  const b = new Client();
  b.user = c.user;
  b.password = 'correct horse battery';
  await b.useBearer();
  assert.equal((await b.get('/api/users/me')).status, 200);
  await post('/api/auth/password/forgot', { email });
  const token = resetToken((await waitMails(email, 1, 10000, RESET))[0]);
  assert.equal((await post('/api/auth/password/reset', { token, password: 'a new long password' })).status, 204);
  // the access token lives on until revocation reaches the programs
  let status = 200;
  for (let i = 0; i < 40 && status === 200; i++) {
    status = (await b.get('/api/users/me')).status;
    if (status === 200) await sleep(100);
  }
  assert.equal(status, 401);
  assert.equal((await post('/api/auth/refresh', { refresh: b.refresh })).status, 401);
});
