// email-verify.test.mjs - optional e-mail verification (EMAIL_VERIFY=1 in
// the test stack): the sign-up mail through the outbox, easychat-deliver and
// the SMTP sink, following its link, resend and its limit, what an
// unverified address may not do (get reset links), and the errors.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Client, assertError, unique, sleep, env } from '../lib/api.mjs';
import { cgi } from '../lib/cgi.mjs';
import { mailsTo, waitMails, verifyToken } from '../lib/mail.mjs';
import { sql, closeDb } from '../lib/db.mjs';

after(closeDb);

const post = (p, json) => new Client().post(p, json);
const VERIFY = /\/verify-email#token=/;
const RESET = /\/reset-password#token=/;
const PASSWORD = 'correct horse battery';

async function signup(opts) {
  const email = `${unique('v')}@example.org`;
  const c = new Client();
  await c.signup(unique(), PASSWORD, { email, ...opts });
  return { c, email };
}

const me = async (c) => (await c.get('/api/users/me')).json;

test('sign-up mails a link; following it verifies the address, once', async () => {
  const providers = await new Client().get('/api/auth/providers');
  assert.equal(providers.json.email_verify, true);
  const { c, email } = await signup();
  assert.equal((await me(c)).email_verified, false);
  const [mail] = await waitMails(email, 1, 10000, VERIFY);
  assert.ok(mail, 'no verification mail arrived');
  assert.match(mail, /^Subject: Confirm your e-mail address for Easy Chat/m);
  assert.match(mail, new RegExp(`"${c.user.username}"`));
  assert.ok(mail.includes(`${env.origin}/verify-email#token=`), 'the link points at the site');
  const token = verifyToken(mail);
  // stored hashed only; the outbox keeps nothing once sent
  assert.equal((await sql('SELECT count(*)::int AS n FROM email_verifications WHERE token_hash = $1', [token]))[0].n, 0);
  assert.equal((await sql('SELECT count(*)::int AS n FROM outbox WHERE payload::text LIKE $1', [`%${token}%`]))[0].n, 0);

  // a wrong token changes nothing
  const wrong = await post('/api/auth/email/verify', { token: `${token}x` });
  assertError(assert, wrong, 400, 'validation_failed');
  assert.match(wrong.json.error.fields.token, /invalid, already used or expired/);
  assert.equal((await me(c)).email_verified, false);

  // no session needed: the link may be opened in another browser
  const ok = await post('/api/auth/email/verify', { token });
  assert.equal(ok.status, 204, ok.text);
  assert.equal((await me(c)).email_verified, true);
  assert.equal((await c.get('/api/auth/me')).json.user.email_verified, true);
  const again = await post('/api/auth/email/verify', { token });
  assertError(assert, again, 400, 'validation_failed');
  assert.match(again.json.error.fields.token, /already used/);
  // nothing left to verify
  assertError(assert, await c.post('/api/auth/email/resend', {}), 409, 'conflict');
});

test('an unverified address gets no reset link; a verified one does', async () => {
  const { c, email } = await signup();
  await waitMails(email, 1, 10000, VERIFY);
  assert.equal((await post('/api/auth/password/forgot', { email })).status, 202);
  await sleep(800);
  assert.equal(mailsTo(email, RESET).length, 0, 'no reset mail before verification');
  assert.equal((await sql('SELECT count(*)::int AS n FROM password_resets WHERE user_id = $1', [c.user.id]))[0].n, 0);
  // with verification off (EMAIL_VERIFY=0), any address gets one
  const off = await cgi('auth', { method: 'POST', path: '/api/auth/password/forgot',
    json: { email }, env: { EMAIL_VERIFY: '0' } });
  assert.equal(off.status, 202, off.text);
  assert.equal((await waitMails(email, 1, 10000, RESET)).length, 1);

  const token = verifyToken((await waitMails(email, 1, 10000, VERIFY))[0]);
  assert.equal((await post('/api/auth/email/verify', { token })).status, 204);
  assert.equal((await post('/api/auth/password/forgot', { email })).status, 202);
  assert.equal((await waitMails(email, 2, 10000, RESET)).length, 2);
});

test('resend: a new link that works, the old ones too until one is used; VERIFY_PER_HOUR then 429', async () => {
  const { c, email } = await signup();
  await waitMails(email, 1, 10000, VERIFY);
  const r = await c.post('/api/auth/email/resend', {});
  assert.equal(r.status, 202, r.text);
  assert.deepEqual(r.json, {});
  const mails = await waitMails(email, 2, 10000, VERIFY);
  assert.equal(mails.length, 2);
  const [first, second] = mails.map(verifyToken);
  assert.notEqual(first, second);
  // the third link this hour (VERIFY_PER_HOUR=3) is the last
  assert.equal((await c.post('/api/auth/email/resend', {})).status, 202);
  const limited = await c.post('/api/auth/email/resend', {});
  assertError(assert, limited, 429, 'rate_limited');
  assert.equal(limited.headers['retry-after'], '3600');
  await sleep(500);
  assert.equal(mailsTo(email, VERIFY).length, 3);
  // using one uses up the others
  assert.equal((await post('/api/auth/email/verify', { token: second })).status, 204);
  assertError(assert, await post('/api/auth/email/verify', { token: first }), 400, 'validation_failed');
  assert.equal((await sql('SELECT count(*)::int AS n FROM email_verifications WHERE user_id = $1 AND used_at IS NULL', [c.user.id]))[0].n, 0);
});

test('an expired link, and a link for an address the account no longer has, verify nothing', async () => {
  const { c, email } = await signup();
  const token = verifyToken((await waitMails(email, 1, 10000, VERIFY))[0]);
  await sql("UPDATE email_verifications SET expires_at = now() - interval '1 second' WHERE user_id = $1", [c.user.id]);
  const expired = await post('/api/auth/email/verify', { token });
  assertError(assert, expired, 400, 'validation_failed');
  assert.match(expired.json.error.fields.token, /expired/);
  assert.equal((await me(c)).email_verified, false);

  assert.equal((await c.post('/api/auth/email/resend', {})).status, 202);
  const fresh = verifyToken((await waitMails(email, 2, 10000, VERIFY))[1]);
  const moved = `${unique('w')}@example.org`;
  assert.equal((await c.patch('/api/users/me', { email: moved })).status, 200);
  const stale = await post('/api/auth/email/verify', { token: fresh });
  assertError(assert, stale, 400, 'validation_failed');
  assert.match(stale.json.error.fields.token, /no longer has/);
  assert.equal((await me(c)).email_verified, false);
});

test('changing a verified address makes it unverified; the same address (other case) does not', async () => {
  const { c, email } = await signup();
  const token = verifyToken((await waitMails(email, 1, 10000, VERIFY))[0]);
  assert.equal((await post('/api/auth/email/verify', { token })).status, 204);
  assert.equal((await c.patch('/api/users/me', { email: email.toUpperCase() })).json.email_verified, true);
  assert.equal((await c.patch('/api/users/me', { full_name: 'Someone' })).json.email_verified, true);
  assert.equal((await c.patch('/api/users/me', { email: `${unique('n')}@example.org` })).json.email_verified, false);
});

test('bad input and no address: clear JSON errors, nothing queued', async () => {
  const before = (await sql('SELECT count(*)::int AS n FROM email_verifications'))[0].n;
  for (const json of [{}, { token: '' }, { token: 5 }, { token: 'x', more: 1 }, { token: 'x'.repeat(200) }]) {
    assertError(assert, await post('/api/auth/email/verify', json), 400, 'validation_failed');
  }
  const bare = new Client();
  await bare.signup(unique(), PASSWORD);
  assert.equal((await me(bare)).email_verified, false);
  const none = await bare.post('/api/auth/email/resend', {});
  assertError(assert, none, 409, 'conflict');
  assert.match(none.json.error.message, /no e-mail address/);
  const { c } = await signup();
  assertError(assert, await c.post('/api/auth/email/resend', { extra: 1 }), 400, 'validation_failed');
  assertError(assert, await new Client().post('/api/auth/email/resend', {}), 401);
  // the one row is the sign-up's
  assert.equal((await sql('SELECT count(*)::int AS n FROM email_verifications'))[0].n, before + 1);
});

test('with verification off: no mail at sign-up, resend is not_enabled', async () => {
  const r = await cgi('auth', { method: 'POST', path: '/api/auth/signup',
    json: { username: unique(), password: PASSWORD, email: `${unique('o')}@example.org` },
    env: { EMAIL_VERIFY: '0' } });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.user.email_verified, false);
  assert.equal((await sql('SELECT count(*)::int AS n FROM email_verifications WHERE user_id = $1', [r.json.user.id]))[0].n, 0);
  const p = await cgi('auth', { method: 'GET', path: '/api/auth/providers', env: { EMAIL_VERIFY: '0' } });
  assert.equal(p.json.email_verify, false);
  const { c } = await signup();
  await c.useBearer();
  const off = await cgi('auth', { method: 'POST', path: '/api/auth/email/resend', json: {},
    headers: { authorization: `Bearer ${c.bearer}` }, env: { EMAIL_VERIFY: '0' } });
  assertError(assert, off, 404, 'not_enabled');
});
