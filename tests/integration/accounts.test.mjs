// accounts.test.mjs - sign-up with a display name and the password policy,
// sign-in with the e-mail address, the username availability check and the
// gender set (issue 12), through lighttpd against the real stack.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Client, raw, unique, newUser, assertError, PASSWORD, REPO } from '../lib/api.mjs';
import { sql, closeDb } from '../lib/db.mjs';

after(closeDb);

async function countUsers() {
  return Number((await sql('SELECT count(*) AS n FROM users'))[0].n);
}

test('the shipped blocklist has at least 10 000 passwords and its licence', () => {
  const lines = fs.readFileSync(path.join(REPO, 'conf/common-passwords.txt'), 'utf8')
    .split('\n').filter((l) => l && !l.startsWith('#'));
  assert.ok(lines.length >= 10000, `${lines.length} entries`);
  assert.ok(lines.every((l) => l.length >= 8));
  assert.match(fs.readFileSync(path.join(REPO, 'conf/common-passwords.LICENSE'), 'utf8'), /MIT|Permission is hereby granted/);
});

test('sign-up refuses common passwords (any case) and the username, changing nothing', async () => {
  const before = await countUsers();
  const username = unique('Policy');
  for (const [password, why] of [
    ['password', /common/],
    ['PassWord1', /common/],
    ['qwertyuiop', /common/],
    ['iloveyou', /common/],
    [username.toUpperCase(), /username/],
  ]) {
    const res = await new Client().post('/api/auth/signup', { username, password });
    assertError(assert, res, 400, 'validation_failed');
    assert.match(res.json.error.fields.password, why, `${password}: ${res.text}`);
  }
  assert.equal(await countUsers(), before);
  // An uncommon password is fine.
  const ok = await new Client().post('/api/auth/signup', { username, password: PASSWORD });
  assert.equal(ok.status, 201, ok.text);
});

test('a password change follows the same policy (fields.new)', async () => {
  const c = await newUser();
  let res = await c.put('/api/users/me/password', { old: PASSWORD, new: 'football123' });
  assertError(assert, res, 400, 'validation_failed');
  assert.match(res.json.error.fields.new, /common/);
  res = await c.put('/api/users/me/password', { old: PASSWORD, new: c.user.username });
  assertError(assert, res, 400, 'validation_failed');
  assert.match(res.json.error.fields.new, /username/);
  // Still the old password.
  res = await raw('/api/auth/token', { method: 'POST', json: { username: c.user.username, password: PASSWORD } });
  assert.equal(res.status, 200, res.text);
});

test('sign-up takes an optional display name (trimmed, at most 45)', async () => {
  const c = new Client();
  const res = await c.post('/api/auth/signup', { username: unique('Named'), password: PASSWORD, full_name: '  Grace Hopper ' });
  assert.equal(res.status, 201, res.text);
  assert.equal(res.json.user.profile.full_name, 'Grace Hopper');
  const bad = await new Client().post('/api/auth/signup', { username: unique('Named'), password: PASSWORD, full_name: 'n'.repeat(46) });
  assertError(assert, bad, 400, 'validation_failed');
  assert.ok(bad.json.error.fields.full_name, bad.text);
  const plain = await new Client().post('/api/auth/signup', { username: unique('Plain'), password: PASSWORD });
  assert.equal(plain.json.user.profile.full_name, '');
});

test('sign-in with the e-mail address (any case), for login and token', async () => {
  const c = new Client();
  const email = `${unique('mail')}@Example.org`;
  await c.signup(undefined, PASSWORD, { email });
  const b = new Client();
  let res = await b.post('/api/auth/login', { username: email.toUpperCase(), password: PASSWORD });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json.user.id, c.user.id);
  res = await raw('/api/auth/token', { method: 'POST', json: { username: email, password: PASSWORD } });
  assert.equal(res.status, 200, res.text);
  res = await new Client().post('/api/auth/login', { username: email, password: 'wrong password' });
  assertError(assert, res, 401, 'invalid_credentials');
  res = await new Client().post('/api/auth/login', { username: `nobody-${email}`, password: PASSWORD });
  assertError(assert, res, 401, 'invalid_credentials');
});

test('an address two accounts share signs in neither', async () => {
  const email = `${unique('shared')}@example.org`;
  await new Client().signup(undefined, PASSWORD, { email });
  await new Client().signup(undefined, PASSWORD, { email });
  const res = await new Client().post('/api/auth/login', { username: email, password: PASSWORD });
  assertError(assert, res, 401, 'invalid_credentials');
});

test('wrong passwords by e-mail count against the username', async () => {
  const email = `${unique('rl')}@example.org`;
  const c = new Client();
  await c.signup(undefined, PASSWORD, { email });
  for (let i = 0; i < 5; i++) {
    await new Client().post('/api/auth/login', { username: email, password: 'wrong password' });
    await new Client().post('/api/auth/login', { username: c.user.username, password: 'wrong password' });
  }
  const res = await new Client().post('/api/auth/login', { username: c.user.username, password: PASSWORD });
  assertError(assert, res, 429, 'rate_limited');
});

test('GET /api/users/username-available: signed out and in, any case', async () => {
  const c = await newUser();
  let res = await raw(`/api/users/username-available?username=${c.user.username.toUpperCase()}`);
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json.available, false);
  res = await raw(`/api/users/username-available?username=${unique('free')}`);
  assert.equal(res.json.available, true);
  // One's own name is available to oneself.
  res = await c.get(`/api/users/username-available?username=${c.user.username.toUpperCase()}`);
  assert.equal(res.json.available, true, res.text);
  for (const bad of ['abc', 'has%20space', 'x'.repeat(46), '']) {
    res = await raw(`/api/users/username-available?username=${bad}`);
    assertError(assert, res, 400, 'validation_failed');
    assert.ok(res.json.error.fields.username, res.text);
  }
  res = await raw('/api/users/username-available');
  assertError(assert, res, 400, 'validation_failed');
});

test('genders: the respectful set; the joke entry is refused', async () => {
  const c = await newUser();
  assert.equal(c.user.profile.gender, 'Prefer not to say');
  for (const g of ['Male', 'Female', 'Non-binary', 'Other', 'Prefer not to say']) {
    const res = await c.patch('/api/users/me', { gender: g });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.profile.gender, g);
  }
  const res = await c.patch('/api/users/me', { gender: 'Attack Helicopter' });
  assertError(assert, res, 400, 'validation_failed');
  assert.match(res.json.error.fields.gender, /Non-binary/);
});

test('a new user gets an icon of their own, drawn on the server and cached long', async () => {
  const a = await newUser();
  const b = await newUser();
  const [ia, ib] = [a.user.profile.icon_url, b.user.profile.icon_url];
  assert.match(ia, /^\/media\/[0-9a-f]{2}\/[0-9a-f]{64}\.png$/);
  assert.match(ib, /^\/media\/[0-9a-f]{2}\/[0-9a-f]{64}\.png$/);
  assert.notEqual(ia, ib);
  const res = await raw(ia);
  assert.equal(res.status, 200);
  assert.match(res.headers['content-type'], /^image\/png/);
  assert.match(res.headers['cache-control'] || '', /max-age=(\d{7,})/);
  // A picture the user uploads later replaces it like any other.
  const rows = await sql('SELECT icon FROM profiles WHERE user_id = $1', [a.user.id]);
  assert.equal(`/media/${rows[0].icon}`, ia);
});
