// users.test.mjs - GET/PATCH /api/users/me, password change, public profiles.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Client, newUser, unique, assertError, raw, PASSWORD } from '../lib/api.mjs';
import { closeDb, redis, sql, subscribe } from '../lib/db.mjs';

after(closeDb);

test('GET /api/users/me is the user object with email, 401 anonymous', async () => {
  const c = new Client();
  await c.signup(unique(), PASSWORD, { email: 'me@example.org' });
  const res = await c.get('/api/users/me');
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json.id, c.user.id);
  assert.equal(res.json.username, c.user.username);
  assert.equal(res.json.email, 'me@example.org');
  assert.deepEqual(Object.keys(res.json.profile).sort(), ['bio', 'date_joined', 'default_status',
    'full_name', 'gender', 'icon_url', 'last_seen', 'status', 'wallpaper_url']);
  assertError(assert, await raw('/api/users/me'), 401);
});

test('PATCH /api/users/me updates the allowed fields', async () => {
  const c = await newUser();
  const name = unique('renamed');
  const res = await c.patch('/api/users/me', {
    username: name, email: 'x@y.z', full_name: '  Ada Lovelace ', bio: 'Analytical <b>engine</b>',
    gender: 'Non-binary', default_status: 'Busy',
  });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json.username, name);
  assert.equal(res.json.email, 'x@y.z');
  assert.equal(res.json.profile.full_name, 'Ada Lovelace');
  assert.equal(res.json.profile.bio, 'Analytical <b>engine</b>');
  assert.equal(res.json.profile.gender, 'Non-binary');
  assert.equal(res.json.profile.default_status, 'Busy');
  // Persisted, and an empty email clears it; {} changes nothing.
  const cleared = await c.patch('/api/users/me', { email: '' });
  assert.equal(cleared.status, 200, cleared.text);
  assert.equal(cleared.json.email, null);
  const same = await c.patch('/api/users/me', {});
  assert.equal(same.status, 200);
  assert.equal(same.json.profile.full_name, 'Ada Lovelace');
  // Changing only the case of one's own name is fine.
  const upper = await c.patch('/api/users/me', { username: name.toUpperCase() });
  assert.equal(upper.status, 200, upper.text);
  assert.equal(upper.json.username, name.toUpperCase());
});

test('PATCH /api/users/me validation: unknown fields and bad values are 400', async () => {
  const c = await newUser();
  const cases = [
    [{ password: 'whatever123' }, 'password'],
    [{ id: 5 }, 'id'],
    [{ icon_url: '/media/x.png' }, 'icon_url'],
    [{ username: 'abc' }, 'username'],
    [{ username: 'has space1' }, 'username'],
    [{ username: 'x'.repeat(46) }, 'username'],
    [{ email: 'not-an-email' }, 'email'],
    [{ full_name: 'n'.repeat(46) }, 'full_name'],
    [{ bio: 'b'.repeat(501) }, 'bio'],
    [{ gender: 'Robot' }, 'gender'],
    [{ gender: 'Attack Helicopter' }, 'gender'],
    [{ gender: 'Undefined' }, 'gender'],
    [{ default_status: 'Away' }, 'default_status'],
    [{ full_name: 42 }, 'full_name'],
  ];
  for (const [body, field] of cases) {
    const res = await c.patch('/api/users/me', body);
    assertError(assert, res, 400);
    assert.ok(res.json.error.fields && res.json.error.fields[field],
      `${JSON.stringify(body)} → fields.${field}: ${res.text}`);
  }
  // A valid field next to an unknown one changes nothing.
  const res = await c.patch('/api/users/me', { bio: 'kept?', nope: 1 });
  assertError(assert, res, 400);
  assert.equal((await c.get('/api/users/me')).json.profile.bio, '');
  // Not JSON.
  const bad = await c.req('PATCH', '/api/users/me', undefined,
    { body: 'bio=x', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
  assertError(assert, bad, 415);
});

test('PATCH username taken (any case) is 409 username_taken', async () => {
  const a = await newUser();
  const b = await newUser();
  const res = await b.patch('/api/users/me', { username: a.user.username.toUpperCase() });
  assertError(assert, res, 409, 'username_taken');
  assert.equal((await b.get('/api/users/me')).json.username, b.user.username);
});

test('GET /api/users/{id}: public profile with online from presence, no email', async () => {
  const a = new Client();
  await a.signup(unique(), PASSWORD, { email: 'private@example.org' });
  const b = await newUser();
  let res = await b.get(`/api/users/${a.user.id}`);
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json.id, a.user.id);
  assert.equal(res.json.username, a.user.username);
  assert.equal(res.json.online, false);
  assert.equal('email' in res.json, false);
  assert.ok(res.json.profile.icon_url.startsWith('/media/'));
  const r = await redis();
  try {
    // A status left in the table by a relay that died: presence in
    // Redis decides, so the user shows Offline until a relay holds them.
    await sql("UPDATE profiles SET status = 'Busy' WHERE user_id = $1", [a.user.id]);
    res = await b.get(`/api/users/${a.user.id}`);
    assert.equal(res.json.online, false);
    assert.equal(res.json.profile.status, 'Offline');
    await r.hSet(`online:${a.user.id}`, 'test-relay', '1');
    await r.expire(`online:${a.user.id}`, 60);
    res = await b.get(`/api/users/${a.user.id}`);
    assert.equal(res.json.online, true);
    assert.equal(res.json.profile.status, 'Busy');
    await r.del(`online:${a.user.id}`);
  } finally {
    await r.quit();
  }
  assertError(assert, await b.get('/api/users/999999999'), 404);
  assertError(assert, await b.get('/api/users/0'), 404);
  assertError(assert, await b.get('/api/users/abc'), 404);
  assertError(assert, await raw(`/api/users/${a.user.id}`), 401);
});

test('PUT /api/users/me/password: wrong old is 400, success revokes other sessions only', async () => {
  const c = await newUser();
  // A second session of the same user (an API client).
  const other = new Client({ origin: null });
  other.user = c.user;
  other.password = PASSWORD;
  await other.useBearer();
  assert.equal((await other.get('/api/users/me')).status, 200);

  let res = await c.put('/api/users/me/password', { old: 'wrong password', new: 'new password 1' });
  assertError(assert, res, 400);
  assert.ok(res.json.error.fields.old, res.text);
  res = await c.put('/api/users/me/password', { old: PASSWORD, new: 'short' });
  assertError(assert, res, 400);
  assert.ok(res.json.error.fields.new);
  res = await c.put('/api/users/me/password', { old: PASSWORD, new: 'new password 1', x: 1 });
  assertError(assert, res, 400);
  assert.equal((await other.get('/api/users/me')).status, 200, 'nothing changed yet');

  res = await c.put('/api/users/me/password', { old: PASSWORD, new: 'new password 1' });
  assert.equal(res.status, 204, res.text);
  // The other session's access token stops at once; its refresh too.
  assertError(assert, await other.get('/api/users/me'), 401);
  const refreshed = await raw('/api/auth/refresh', { method: 'POST', json: { refresh: other.refresh } });
  assert.equal(refreshed.status, 401);
  // This session goes on.
  assert.equal((await c.get('/api/users/me')).status, 200);
  // Old password refused, new one accepted.
  const login = (password) => raw('/api/auth/token', { method: 'POST',
    json: { username: c.user.username, password } });
  assert.equal((await login(PASSWORD)).status, 401);
  assert.equal((await login('new password 1')).status, 200);
});

test('a new name is published as user.updated to each of the user\'s groups (no email), other changes are not', async () => {
  const u = await newUser();
  const owner = await newUser();
  const groups = [];
  for (let i = 0; i < 2; i++) {
    const g = await owner.post('/api/groups', { name: unique('UU'), is_public: false });
    const inv = await owner.post(`/api/groups/${g.json.id}/invites`, {});
    assert.equal((await u.post(`/api/invites/${inv.json.code}/accept`)).status < 300, true);
    groups.push(g.json.id);
  }
  const sub = await subscribe(groups.map((id) => `group:${id}`));
  try {
    let res = await u.patch('/api/users/me', { bio: 'only the bio' });
    assert.equal(res.status, 200, res.text);
    res = await u.patch('/api/users/me', { full_name: 'New Name' });
    assert.equal(res.status, 200, res.text);
    for (const gid of groups) {
      const ev = await sub.next((m) => m.channel === `group:${gid}` && m.data.type === 'user.updated');
      assert.equal(ev.data.group_id, gid);
      assert.equal(ev.data.user.id, u.user.id);
      assert.equal(ev.data.user.username, u.user.username);
      assert.equal(ev.data.user.profile.full_name, 'New Name');
      assert.equal('email' in ev.data.user, false);
    }
    // The bio change alone published nothing: exactly one event per group.
    assert.equal(sub.messages.filter((m) => m.data.type === 'user.updated').length, 2);
  } finally {
    await sub.close();
  }
});
