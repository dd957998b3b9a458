// user-delete.test.mjs - deleting accounts (common/useradm.c) and the site admin role (migration 0020): DELETE /api/users/me, the site admin's API (disable, enable, delete users; delete any group or message) and easychat-admin grant-admin, revoke-admin, create-admin, delete-user.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { Client, newUser, unique, assertError } from '../lib/api.mjs';
import { connect } from '../lib/ws.mjs';
import { closeDb, sql } from '../lib/db.mjs';

const open = [];
after(async () => {
  for (const w of open) w.ws.terminate();
  await closeDb();
});

function admin(args, input = '') {
  const r = spawnSync(path.join(process.env.BIN_DIR, 'easychat-admin'), args, {
    input,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, EASYCHAT_ENV: process.env.EASYCHAT_ENV,
      ASAN_OPTIONS: process.env.ASAN_OPTIONS ?? '', UBSAN_OPTIONS: process.env.UBSAN_OPTIONS ?? '',
      LSAN_OPTIONS: process.env.LSAN_OPTIONS ?? '' },
    timeout: 60000,
  });
  return { status: r.status, out: r.stdout, err: r.stderr };
}

async function ws(c) {
  const w = await connect({ cookie: c.cookieHeader() });
  open.push(w);
  await w.next((e) => e.type === 'hello', 3000);
  return w;
}

async function group(owner) {
  const res = await owner.post('/api/groups', { name: unique('g'), is_public: true });
  assert.equal(res.status, 201, res.text);
  return { id: res.json.id, room: res.json.topics[0].rooms[0].id };
}

async function join(c, g, role) {
  assert.equal((await c.post(`/api/groups/${g.id}/join`)).status < 300, true);
  if (role) {
    const [o] = await sql("SELECT user_id FROM group_members WHERE group_id = $1 AND role = 'owner'", [g.id]);
    await sql('UPDATE group_members SET role = $3 WHERE group_id = $1 AND user_id = $2', [g.id, c.user.id, role]);
    assert.ok(o);
  }
}

async function post(c, room, text) {
  const res = await c.post(`/api/rooms/${room}/messages`, { text, nonce: randomBytes(8).toString('hex') });
  assert.equal(res.status, 201, res.text);
  return res.json;
}

async function history(c, room) {
  const res = await c.get(`/api/rooms/${room}/messages`);
  assert.equal(res.status, 200, res.text);
  return res.json.items;
}

async function siteAdmin() {
  const a = await newUser();
  const r = admin(['grant-admin', a.user.username]);
  assert.equal(r.status, 0, r.err);
  return a;
}

test('DELETE /api/users/me needs the password; a wrong or missing one changes nothing', async () => {
  const u = await newUser();
  assertError(assert, await u.del('/api/users/me', {}), 400, 'validation_failed');
  const wrong = await u.del('/api/users/me', { password: 'not the password' });
  assertError(assert, wrong, 400, 'validation_failed');
  assert.ok(wrong.json.error.fields.password);
  assertError(assert, await u.del('/api/users/me', { password: u.password, extra: 1 }), 400, 'validation_failed');
  assert.equal((await u.get('/api/users/me')).status, 200);
  const [row] = await sql('SELECT count(*)::int AS n FROM users WHERE id = $1', [u.user.id]);
  assert.equal(row.n, 1);
});

test('deleting oneself: websockets closed at once, personal data gone, messages kept as a deleted sender, groups handed to the longest-standing admin or deleted', async () => {
  const u = await newUser();
  const admin1 = await newUser();
  const admin2 = await newUser();
  const member = await newUser();
  const kept = await group(u); // has admins: goes to admin1 (joined first)
  await join(admin1, kept, 'admin');
  await join(admin2, kept, 'admin');
  await join(member, kept);
  const lonely = await group(u); // only a moderator: deleted
  await join(member, lonely, 'moderator');
  const m = await post(u, kept.room, 'I was here');
  // The history page is now cached with u as sender.
  assert.equal((await history(member, kept.room)).find((x) => x.id === m.id).sender.id, u.user.id);
  await sql("INSERT INTO oauth_accounts (provider, subject, user_id) VALUES ('github', $1, $2)",
    [`gh-${u.user.id}`, u.user.id]);
  const uws = await ws(u);
  const mws = await ws(member);

  const res = await u.del('/api/users/me', { password: u.password });
  assert.equal(res.status, 204, res.text);
  assert.equal((await uws.closed).code, 4001, 'the websocket closes at once');
  assertError(assert, await u.get('/api/users/me'), 401);
  const login = await new Client().post('/api/auth/login', { username: u.user.username, password: u.password });
  assert.equal(login.status, 401);

  for (const t of ['users', 'profiles', 'sessions', 'oauth_accounts', 'group_members', 'read_markers']) {
    const col = t === 'users' ? 'id' : 'user_id';
    const [row] = await sql(`SELECT count(*)::int AS n FROM ${t} WHERE ${col} = $1`, [u.user.id]);
    assert.equal(row.n, 0, `${t} rows of the deleted user`);
  }
  // The message stays, with no sender, also in the cached page.
  const after = (await history(member, kept.room)).find((x) => x.id === m.id);
  assert.equal(after.text, 'I was here');
  assert.equal(after.sender, null);
  // Ownership went to the admin who joined first.
  const roles = Object.fromEntries((await sql('SELECT user_id, role FROM group_members WHERE group_id = $1',
    [kept.id])).map((r) => [Number(r.user_id), r.role]));
  assert.equal(roles[admin1.user.id], 'owner');
  assert.equal(roles[admin2.user.id], 'admin');
  const owned = await member.get(`/api/groups/${kept.id}`);
  assert.equal(owned.status, 200);
  // The group without an admin is gone.
  assertError(assert, await member.get(`/api/groups/${lonely.id}`), 404);
  // The member's websocket heard all three: new owner, u gone, group gone.
  const upd = await mws.next((x) => x.type === 'member.updated' && x.group_id === kept.id, 3000);
  assert.equal(upd.member.user.id, admin1.user.id);
  assert.equal(upd.member.role, 'owner');
  const left = await mws.next((x) => x.type === 'member.left' && x.group_id === kept.id, 3000);
  assert.equal(left.user_id, u.user.id);
  await mws.next((x) => x.type === 'group.deleted' && x.group_id === lonely.id, 3000);
  // The name is free again.
  const again = new Client();
  await again.signup(u.user.username);
});

test('purge removes the messages too, with one messages.purged event per room', async () => {
  // One event per room however many messages: a message.deleted each
  // went to every member's client, one per message the user ever sent.
  const u = await newUser();
  const owner = await newUser();
  const g = await group(owner);
  const g2 = await group(owner);
  await join(u, g);
  await join(u, g2);
  for (let i = 0; i < 25; i++) await post(u, g.room, `one ${i}`);
  await post(u, g2.room, 'two');
  const other = await post(owner, g.room, 'stays');
  const ows = await ws(owner);
  const res = await u.del('/api/users/me', { password: u.password, purge: true });
  assert.equal(res.status, 204, res.text);
  const purged = [];
  for (let i = 0; i < 2; i++) purged.push(await ows.next((e) => e.type === 'messages.purged', 3000));
  const key = (e) => `${e.group_id}/${e.room_id}/${e.user_id}`;
  assert.deepEqual(purged.map(key).sort(), [`${g.id}/${g.room}/${u.user.id}`, `${g2.id}/${g2.room}/${u.user.id}`].sort());
  // The purge events are the deletion's last: nothing per message came.
  assert.deepEqual(ows.events.filter((e) => e.type === 'message.deleted'), []);
  assert.deepEqual((await history(owner, g.room)).map((x) => x.id), [other.id]);
  assert.deepEqual(await history(owner, g2.room), []);
});

test('/api/users/me says who is a site admin; only site admins get the admin API', async () => {
  const a = await siteAdmin();
  const u = await newUser();
  assert.equal((await a.get('/api/users/me')).json.is_site_admin, true);
  assert.equal((await u.get('/api/users/me')).json.is_site_admin, false);
  const v = await newUser();
  for (const [m, p] of [['del', ''], ['post', '/disable'], ['post', '/enable']]) {
    assertError(assert, await u[m](`/api/users/${v.user.id}${p}`), 403, 'forbidden');
  }
  assert.equal((await v.get('/api/users/me')).status, 200, 'nothing happened to v');
  // Not on themselves, not on another site admin, not on nobody.
  const b = await siteAdmin();
  assertError(assert, await a.post(`/api/users/${a.user.id}/disable`), 403, 'forbidden');
  assertError(assert, await a.del(`/api/users/${b.user.id}`), 403, 'forbidden');
  assertError(assert, await a.post('/api/users/999999999999/disable'), 404, 'not_found');
  assertError(assert, await a.del(`/api/users/${v.user.id}`, { purge: 'yes' }), 400, 'validation_failed');
  // revoke-admin takes the power away at once.
  assert.equal(admin(['revoke-admin', a.user.username]).status, 0);
  assertError(assert, await a.post(`/api/users/${v.user.id}/disable`), 403, 'forbidden');
  assert.equal((await a.get('/api/users/me')).json.is_site_admin, false);
});

test('a site admin disables and enables a user (websockets closed at once) and deletes one', async () => {
  const a = await siteAdmin();
  const v = await newUser();
  const vws = await ws(v);
  assert.equal((await a.post(`/api/users/${v.user.id}/disable`)).status, 204);
  assert.equal((await vws.closed).code, 4001);
  assertError(assert, await v.get('/api/users/me'), 401);
  const denied = await new Client().post('/api/auth/login', { username: v.user.username, password: v.password });
  assert.equal(denied.status, 401);
  assert.equal((await a.post(`/api/users/${v.user.id}/enable`)).status, 204);
  const back = await new Client().post('/api/auth/login', { username: v.user.username, password: v.password });
  assert.equal(back.status, 200, back.text);
  assert.equal((await a.del(`/api/users/${v.user.id}`, { purge: true })).status, 204);
  const [row] = await sql('SELECT count(*)::int AS n FROM users WHERE id = $1', [v.user.id]);
  assert.equal(row.n, 0);
  assertError(assert, await a.del(`/api/users/${v.user.id}`), 404, 'not_found');
});

test('a site admin deletes any group and any message, also where they are not a member', async () => {
  const a = await siteAdmin();
  const owner = await newUser();
  const res = await owner.post('/api/groups', { name: unique('g'), is_public: false });
  const g = { id: res.json.id, room: res.json.topics[0].rooms[0].id };
  const m = await post(owner, g.room, 'abuse');
  const plain = await newUser();
  assertError(assert, await plain.del(`/api/messages/${m.id}`), 404);
  assertError(assert, await plain.del(`/api/groups/${g.id}`), 404);
  // Reading stays private: the role grants no access to the group.
  assertError(assert, await a.get(`/api/groups/${g.id}`), 404);
  const ows = await ws(owner);
  assert.equal((await a.del(`/api/messages/${m.id}`)).status, 204);
  assert.equal((await ows.next((e) => e.type === 'message.deleted', 3000)).id, m.id);
  assert.deepEqual((await history(owner, g.room)).map((x) => x.id), []);
  assert.equal((await a.del(`/api/groups/${g.id}`)).status, 204);
  await ows.next((e) => e.type === 'group.deleted', 3000);
  assertError(assert, await owner.get(`/api/groups/${g.id}`), 404);
});

test('easychat-admin: create-admin (password on stdin), delete-user [--purge], and bad usage', async () => {
  const name = unique('admin');
  let r = admin(['create-admin', name], 'short\n');
  assert.equal(r.status, 1);
  r = admin(['create-admin', name], 'an operator passphrase\n');
  assert.equal(r.status, 0, r.err);
  const c = new Client();
  const login = await c.post('/api/auth/login', { username: name, password: 'an operator passphrase' });
  assert.equal(login.status, 200, login.text);
  assert.equal((await c.get('/api/users/me')).json.is_site_admin, true);
  assert.equal(admin(['create-admin', name], 'an operator passphrase\n').status, 1, 'taken');
  assert.equal(admin(['create-admin', 'bad name!'], 'an operator passphrase\n').status, 1);

  const u = await newUser();
  const owner = await newUser();
  const g = await group(owner);
  await join(u, g);
  await post(u, g.room, 'gone soon');
  const uws = await ws(u);
  r = admin(['delete-user', u.user.username, '--purge']);
  assert.equal(r.status, 0, r.err);
  assert.match(r.out, /messages purged 1/);
  assert.equal((await uws.closed).code, 4001);
  assert.deepEqual((await history(owner, g.room)).map((x) => x.text), []);
  assert.equal(admin(['delete-user', u.user.username]).status, 1, 'no such user any more');
  assert.equal(admin(['delete-user', owner.user.username, '--frobnicate']).status, 2);
  assert.equal((await owner.get('/api/users/me')).status, 200, 'bad usage deletes nothing');
});
