// groups.test.mjs - the groups program through lighttpd on the real stack:
// groups, members, invites, topics, the directory, events and bad input.
import { test, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Client, newUser, unique, assertError } from '../lib/api.mjs';
import { sql, closeDb, redis, subscribe } from '../lib/db.mjs';

const subs = [];
let rc;
after(async () => {
  for (const s of subs) await s.close();
  if (rc) await rc.quit().catch(() => {});
  await closeDb();
});

async function makeGroup(owner, extra = {}) {
  const res = await owner.post('/api/groups', { name: unique('g'), ...extra });
  assert.equal(res.status, 201, res.text);
  return res.json;
}

/** Adds `client` to the group with `role` straight in the database. */
async function addMember(group, client, role = 'member') {
  await sql('INSERT INTO group_members (group_id, user_id, role) VALUES ($1, $2, $3)',
    [group.id, client.user.id, role]);
}

/** A message stored as the rooms program would: the INSERT (whose trigger
 * moves the room's last_message_id and counter, 0080) and the sender's
 * read marker moved to it, which is what keeps own messages out of the
 * unread counts (db/functions/34_counts.sql). */
async function postSql(roomId, senderId, text = 'hello') {
  const [m] = await sql('INSERT INTO messages (room_id, sender_id, text) VALUES ($1, $2, $3) RETURNING id',
    [roomId, senderId, text]);
  await sql('INSERT INTO read_markers (user_id, room_id, last_read_id) VALUES ($1, $2, $3) '
    + 'ON CONFLICT (user_id, room_id) DO UPDATE SET last_read_id = GREATEST(read_markers.last_read_id, excluded.last_read_id)',
  [senderId, roomId, m.id]);
  return Number(m.id);
}

async function memberRow(groupId, userId) {
  const rows = await sql('SELECT role FROM group_members WHERE group_id = $1 AND user_id = $2', [groupId, userId]);
  return rows[0]?.role ?? null;
}

async function sub(channels) {
  const s = await subscribe(channels);
  subs.push(s);
  return s;
}

const anon = () => new Client();

describe('create and read', () => {
  test('POST /api/groups makes the caller owner with topic General and room home', async () => {
    const owner = await newUser();
    const name = unique('Grp');
    const res = await owner.post('/api/groups', { name: `  ${name}  `, description: 'About', category: 'Music', is_public: false });
    assert.equal(res.status, 201, res.text);
    const g = res.json;
    assert.equal(g.name, name, 'name is trimmed');
    assert.equal(g.description, 'About');
    assert.equal(g.category, 'Music');
    assert.equal(g.is_public, false);
    assert.equal(g.my_role, 'owner');
    assert.equal(g.member_count, 1);
    assert.equal(g.online_count, 0);
    assert.match(g.icon_url, /^\/media\//);
    assert.match(g.wallpaper_url, /^\/media\//);
    assert.equal(g.topics.length, 1);
    assert.equal(g.topics[0].name, 'General');
    assert.equal(g.topics[0].rooms.length, 1);
    const room = g.topics[0].rooms[0];
    assert.equal(room.name, 'home');
    assert.equal(room.unread_count, 0);
    assert.equal(room.last_message_id, 0);
    assert.equal(room.last_read_id, 0);
    assert.equal(await memberRow(g.id, owner.user.id), 'owner');
    const rooms = await sql('SELECT r.id, t.name AS topic FROM rooms r JOIN topics t ON t.id = r.topic_id WHERE r.group_id = $1', [g.id]);
    assert.deepEqual(rooms.map((r) => [Number(r.id), r.topic]), [[room.id, 'General']]);
  });

  test('defaults: public, Undefined, empty description', async () => {
    const owner = await newUser();
    const g = await makeGroup(owner);
    assert.equal(g.is_public, true);
    assert.equal(g.category, 'Undefined');
    assert.equal(g.description, '');
  });

  test('names are unique regardless of case: 409 name_taken', async () => {
    const a = await newUser();
    const b = await newUser();
    const g = await makeGroup(a);
    const res = await b.post('/api/groups', { name: g.name.toUpperCase() });
    assertError(assert, res, 409, 'name_taken');
    const patch = await a.post('/api/groups', { name: unique('other') });
    const clash = await a.patch(`/api/groups/${patch.json.id}`, { name: g.name.toLowerCase() });
    assertError(assert, clash, 409, 'name_taken');
  });

  test('anonymous callers get 401 on every signed-in endpoint', async () => {
    const owner = await newUser();
    const g = await makeGroup(owner);
    const c = anon();
    assertError(assert, await c.get('/api/groups'), 401);
    assertError(assert, await c.post('/api/groups', { name: unique('g') }), 401);
    assertError(assert, await c.get(`/api/groups/${g.id}`), 401);
    assertError(assert, await c.get(`/api/groups/${g.id}/members`), 401);
    assertError(assert, await c.get(`/api/groups/${g.id}/invites`), 401);
  });

  test('GET /api/groups/{id}: members only; unknown 404', async () => {
    const owner = await newUser();
    const other = await newUser();
    const g = await makeGroup(owner);
    assert.equal((await owner.get(`/api/groups/${g.id}`)).status, 200);
    assertError(assert, await other.get(`/api/groups/${g.id}`), 404, 'not_found');
    assertError(assert, await owner.get('/api/groups/999999999'), 404, 'not_found');
    assertError(assert, await owner.get('/api/groups/abc'), 404);
    assertError(assert, await owner.put(`/api/groups/${g.id}`, {}), 405);
  });

  test('GET /api/groups lists my groups with roles, paged', async () => {
    const u = await newUser();
    const other = await newUser();
    const mine = [];
    for (let i = 0; i < 3; i++) mine.push(await makeGroup(u));
    const theirs = await makeGroup(other);
    await addMember(theirs, u, 'moderator');
    const res = await u.get('/api/groups');
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.has_more, false);
    const byId = new Map(res.json.items.map((g) => [g.id, g]));
    assert.equal(byId.size, 4);
    for (const g of mine) assert.equal(byId.get(g.id).my_role, 'owner');
    const t = byId.get(theirs.id);
    assert.deepEqual(Object.keys(t).sort(), ['has_unread', 'icon_url', 'id', 'mention_count', 'my_role', 'name', 'unread_count']);
    assert.equal(t.my_role, 'moderator');
    const p1 = await u.get('/api/groups?limit=3');
    assert.equal(p1.json.items.length, 3);
    assert.equal(p1.json.has_more, true);
    const p2 = await u.get('/api/groups?limit=3&offset=3');
    assert.equal(p2.json.items.length, 1);
    assert.equal(p2.json.has_more, false);
    const all = [...p1.json.items, ...p2.json.items].map((g) => g.id);
    assert.deepEqual(all.sort(), [...byId.keys()].sort());
    for (const q of ['limit=0', 'limit=101', 'limit=x', 'offset=-1', 'offset=1.5']) {
      assertError(assert, await u.get(`/api/groups?${q}`), 400, 'validation_failed');
    }
  });
});

describe('unread counts', () => {
  test('a new member starts with no backlog; others\' messages count, own and deleted do not', async () => {
    const owner = await newUser();
    const joiner = await newUser();
    const g = await makeGroup(owner);
    const room = g.topics[0].rooms[0].id;
    for (let i = 0; i < 5; i++) await postSql(room, owner.user.id);
    let res = await joiner.post(`/api/groups/${g.id}/join`);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.topics[0].rooms[0].unread_count, 0);
    const last = res.json.topics[0].rooms[0].last_message_id;
    assert.ok(last > 0);
    assert.equal(res.json.topics[0].rooms[0].last_read_id, last);
    const [k] = await sql('SELECT last_read_id FROM read_markers WHERE user_id = $1 AND room_id = $2', [joiner.user.id, room]);
    assert.equal(Number(k.last_read_id), last);

    // Own: never unread (a post moves its sender's marker to it, so it
    // comes first here: a later one would read the whole room).
    await postSql(room, joiner.user.id);
    await postSql(room, owner.user.id);
    const gone = await postSql(room, owner.user.id);
    await postSql(room, owner.user.id);
    await sql('UPDATE messages SET deleted_at = now() WHERE id = $1', [gone]);
    res = await joiner.get('/api/groups');
    const item = res.json.items.find((x) => x.id === g.id);
    assert.equal(item.unread_count, 2);
    assert.equal(item.has_unread, true);
    res = await joiner.get(`/api/groups/${g.id}`);
    assert.equal(res.json.topics[0].rooms[0].unread_count, 2);

    // A second room in another topic adds up in the group's count.
    const t = await owner.post(`/api/groups/${g.id}/topics`, { name: 'More' });
    const [r2] = await sql("INSERT INTO rooms (topic_id, group_id, name) VALUES ($1, $2, 'two') RETURNING id", [t.json.id, g.id]);
    await postSql(Number(r2.id), owner.user.id);
    res = await joiner.get('/api/groups');
    assert.equal(res.json.items.find((x) => x.id === g.id).unread_count, 3);
    await postSql(room, joiner.user.id);
    res = await owner.get('/api/groups');
    assert.equal(res.json.items.find((x) => x.id === g.id).has_unread, true, 'the joiner\'s message is unread for the owner');
  });
});

describe('join and leave', () => {
  test('join: public 200 (idempotent, one row), private 404', async () => {
    const owner = await newUser();
    const u = await newUser();
    const pub = await makeGroup(owner);
    const priv = await makeGroup(owner, { is_public: false });
    const r1 = await u.post(`/api/groups/${pub.id}/join`);
    assert.equal(r1.status, 200, r1.text);
    assert.equal(r1.json.my_role, 'member');
    assert.equal(r1.json.member_count, 2);
    const r2 = await u.post(`/api/groups/${pub.id}/join`);
    assert.equal(r2.status, 200);
    const [{ n }] = await sql('SELECT count(*)::int AS n FROM group_members WHERE group_id = $1', [pub.id]);
    assert.equal(n, 2);
    assertError(assert, await u.post(`/api/groups/${priv.id}/join`), 404, 'not_found');
    assertError(assert, await u.post('/api/groups/999999999/join'), 404);
    assert.equal(await memberRow(priv.id, u.user.id), null);
    assertError(assert, await u.post(`/api/groups/${pub.id}/join`, { x: 1 }), 400, 'validation_failed');
  });

  test('leave: 204 and markers gone; owner 409; non-member 404', async () => {
    const owner = await newUser();
    const u = await newUser();
    const g = await makeGroup(owner);
    await u.post(`/api/groups/${g.id}/join`);
    const res = await u.post(`/api/groups/${g.id}/leave`);
    assert.equal(res.status, 204);
    assert.equal(await memberRow(g.id, u.user.id), null);
    const k = await sql('SELECT 1 FROM read_markers k JOIN rooms r ON r.id = k.room_id WHERE k.user_id = $1 AND r.group_id = $2', [u.user.id, g.id]);
    assert.equal(k.length, 0);
    assertError(assert, await u.post(`/api/groups/${g.id}/leave`), 404);
    assertError(assert, await owner.post(`/api/groups/${g.id}/leave`), 409, 'conflict');
    assert.equal(await memberRow(g.id, owner.user.id), 'owner');
  });
});

describe('private groups do not leak', () => {
  test('non-members get 404 everywhere; the directory leaves them out', async () => {
    const owner = await newUser();
    const out = await newUser();
    const g = await makeGroup(owner, { is_public: false, description: 'secret stuff' });
    const topic = g.topics[0].id;
    const inv = await owner.post(`/api/groups/${g.id}/invites`, {});
    const checks = [
      ['GET', `/api/groups/${g.id}`], ['PATCH', `/api/groups/${g.id}`, { description: 'x' }],
      ['DELETE', `/api/groups/${g.id}`], ['POST', `/api/groups/${g.id}/join`],
      ['POST', `/api/groups/${g.id}/leave`], ['GET', `/api/groups/${g.id}/members`],
      ['PATCH', `/api/groups/${g.id}/members/${owner.user.id}`, { role: 'member' }],
      ['DELETE', `/api/groups/${g.id}/members/${owner.user.id}`],
      ['POST', `/api/groups/${g.id}/invites`, {}], ['GET', `/api/groups/${g.id}/invites`],
      ['DELETE', `/api/invites/${inv.json.code}`],
      ['POST', `/api/groups/${g.id}/topics`, { name: 'x' }],
      ['PATCH', `/api/topics/${topic}`, { name: 'x' }], ['DELETE', `/api/topics/${topic}`],
    ];
    for (const [method, path, body] of checks) {
      const res = await out.req(method, path, body);
      assertError(assert, res, 404, 'not_found');
      const unknown = await out.req(method, path.replace(String(g.id), '999999999').replace(String(topic), '999999999'), body);
      assert.equal(unknown.json.error.message, res.json.error.message, `${method} ${path}: same answer as for nothing`);
    }
    const dir = await out.get(`/api/public-groups?q=${encodeURIComponent(g.name)}`);
    assert.deepEqual(dir.json.items, []);
    const list = await anon().get('/api/public-groups?limit=100');
    assert.ok(!list.json.items.some((x) => x.id === g.id));
    assert.equal((await owner.get(`/api/groups/${g.id}`)).status, 200, 'still there');
  });
});

describe('update and delete', () => {
  test('PATCH /api/groups/{id} changes fields and publishes group.updated after commit', async () => {
    const owner = await newUser();
    const g = await makeGroup(owner);
    const s = await sub(`group:${g.id}`);
    const name = unique('Renamed');
    const res = await owner.patch(`/api/groups/${g.id}`, { name, description: 'd2', category: 'Science', is_public: false });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.name, name);
    assert.equal(res.json.description, 'd2');
    assert.equal(res.json.category, 'Science');
    assert.equal(res.json.is_public, false);
    assert.equal(res.json.my_role, 'owner');
    const ev = await s.next((m) => m.data.type === 'group.updated');
    assert.equal(ev.channel, `group:${g.id}`);
    assert.equal(ev.data.group_id, g.id);
    assert.equal(ev.data.group.id, g.id);
    assert.equal(ev.data.group.name, name);
    assert.equal(ev.data.group.is_public, false);
    assert.equal(ev.data.group.my_role, undefined, 'no per-user fields in events');
    const [row] = await sql('SELECT name, category FROM groups WHERE id = $1', [g.id]);
    assert.deepEqual(row, { name, category: 'Science' });
    // Nothing to change: 200, no event.
    const before = s.messages.length;
    assert.equal((await owner.patch(`/api/groups/${g.id}`, {})).status, 200);
    await owner.get(`/api/groups/${g.id}`);
    assert.equal(s.messages.length, before);
  });

  test('DELETE /api/groups/{id}: owner only; cascades; group.deleted and membership false', async () => {
    const owner = await newUser();
    const admin = await newUser();
    const g = await makeGroup(owner);
    await addMember(g, admin, 'admin');
    const s = await sub([`group:${g.id}`, `user:${owner.user.id}`, `user:${admin.user.id}`]);
    assertError(assert, await admin.del(`/api/groups/${g.id}`), 403, 'forbidden');
    const res = await owner.del(`/api/groups/${g.id}`);
    assert.equal(res.status, 204);
    const ev = await s.next((m) => m.data.type === 'group.deleted');
    assert.deepEqual(ev.data, { type: 'group.deleted', group_id: g.id, id: g.id });
    for (const u of [owner, admin]) {
      const m = await s.next((x) => x.channel === `user:${u.user.id}`);
      assert.deepEqual(m.data, { type: 'membership', group_id: g.id, joined: false });
    }
    assert.equal((await sql('SELECT 1 FROM groups WHERE id = $1', [g.id])).length, 0);
    assert.equal((await sql('SELECT 1 FROM rooms WHERE group_id = $1', [g.id])).length, 0);
    assertError(assert, await owner.get(`/api/groups/${g.id}`), 404);
  });
});

describe('members and roles', () => {
  async function team() {
    const owner = await newUser();
    const g = await makeGroup(owner);
    const u = {};
    for (const role of ['admin', 'moderator', 'member', 'member2']) {
      u[role] = await newUser();
      await addMember(g, u[role], role === 'member2' ? 'member' : role);
    }
    return { g, owner, ...u };
  }

  test('GET members: {user, role, online}, roles first, paged, presence from Redis', async () => {
    const t = await team();
    rc = rc || await redis();
    await rc.hSet(`online:${t.member.user.id}`, 'test-relay', '1');
    await rc.expire(`online:${t.member.user.id}`, 60);
    const res = await t.member.get(`/api/groups/${t.g.id}/members`);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.has_more, false);
    assert.equal(res.json.items.length, 5);
    assert.deepEqual(res.json.items.slice(0, 3).map((m) => m.role), ['owner', 'admin', 'moderator']);
    const me = res.json.items.find((m) => m.user.id === t.member.user.id);
    assert.equal(me.online, true);
    assert.equal(me.user.username, t.member.user.username);
    assert.ok(me.user.profile);
    assert.equal(res.json.items.find((m) => m.role === 'owner').online, false);
    const p = await t.member.get(`/api/groups/${t.g.id}/members?limit=2&offset=4`);
    assert.equal(p.json.items.length, 1);
    assert.equal(p.json.has_more, false);
    const p2 = await t.member.get(`/api/groups/${t.g.id}/members?limit=2`);
    assert.equal(p2.json.has_more, true);
    const d = await t.owner.get(`/api/groups/${t.g.id}`);
    assert.equal(d.json.online_count, 1);
    assert.equal(d.json.member_count, 5);
    const dir = await anon().get(`/api/public-groups?q=${encodeURIComponent(t.g.name)}`);
    assert.equal(dir.json.items[0].online_count, 1);
    assert.equal(dir.json.items[0].member_count, 5);
    await rc.del(`online:${t.member.user.id}`);
    assertError(assert, await t.member.get(`/api/groups/${t.g.id}/members?limit=500`), 400);
  });

  test('role rules: nobody grants above their own; owner hands over and becomes admin', async () => {
    const t = await team();
    const url = (u) => `/api/groups/${t.g.id}/members/${u.user.id}`;
    // Admin: member <-> moderator on those below only.
    assert.equal((await t.admin.patch(url(t.member), { role: 'moderator' })).status, 200);
    assert.equal(await memberRow(t.g.id, t.member.user.id), 'moderator');
    assert.equal((await t.admin.patch(url(t.member), { role: 'member' })).status, 200);
    assertError(assert, await t.admin.patch(url(t.member), { role: 'admin' }), 403, 'forbidden');
    assertError(assert, await t.admin.patch(url(t.member), { role: 'owner' }), 403);
    assertError(assert, await t.admin.patch(url(t.owner), { role: 'member' }), 403);
    assertError(assert, await t.admin.patch(url(t.admin), { role: 'member' }), 403, 'forbidden');
    // Moderators and members grant nothing.
    assertError(assert, await t.moderator.patch(url(t.member), { role: 'moderator' }), 403);
    assertError(assert, await t.moderator.patch(url(t.member), { role: 'member' }), 403);
    assertError(assert, await t.member.patch(url(t.member2), { role: 'member' }), 403);
    // Owner: anything on anyone else.
    let res = await t.owner.patch(url(t.member), { role: 'admin' });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.role, 'admin');
    assert.equal(res.json.user.id, t.member.user.id);
    assert.equal(typeof res.json.online, 'boolean');
    assertError(assert, await t.owner.patch(url(t.owner), { role: 'admin' }), 403);
    // Errors: bad role, unknown fields, not a member.
    const outsider = await newUser();
    assertError(assert, await t.owner.patch(url(t.member), { role: 'king' }), 400, 'validation_failed');
    assertError(assert, await t.owner.patch(url(t.member), { role: 'member', x: 1 }), 400);
    assertError(assert, await t.owner.patch(url(t.member), {}), 400);
    assertError(assert, await t.owner.patch(url(outsider), { role: 'member' }), 404);
    assert.equal(await memberRow(t.g.id, t.member.user.id), 'admin');

    const s = await sub(`group:${t.g.id}`);
    res = await t.owner.patch(url(t.moderator), { role: 'owner' });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.role, 'owner');
    assert.equal(await memberRow(t.g.id, t.moderator.user.id), 'owner');
    assert.equal(await memberRow(t.g.id, t.owner.user.id), 'admin');
    const [{ n }] = await sql("SELECT count(*)::int AS n FROM group_members WHERE group_id = $1 AND role = 'owner'", [t.g.id]);
    assert.equal(n, 1);
    const e1 = await s.next((m) => m.data.type === 'member.updated' && m.data.member.user.id === t.moderator.user.id);
    assert.equal(e1.data.member.role, 'owner');
    const e2 = await s.next((m) => m.data.type === 'member.updated' && m.data.member.user.id === t.owner.user.id);
    assert.equal(e2.data.member.role, 'admin');
    assert.equal((await t.moderator.del(`/api/groups/${t.g.id}`)).status, 204, 'the new owner may delete');
  });

  test('kick: only a member of a lower role; member.left and membership false', async () => {
    const t = await team();
    const url = (u) => `/api/groups/${t.g.id}/members/${u.user.id}`;
    assertError(assert, await t.member.del(url(t.member2)), 403, 'forbidden');
    assertError(assert, await t.moderator.del(url(t.admin)), 403);
    assertError(assert, await t.admin.del(url(t.owner)), 403);
    assertError(assert, await t.admin.del(url(t.admin)), 403);
    const s = await sub([`group:${t.g.id}`, `user:${t.member2.user.id}`]);
    assert.equal((await t.moderator.del(url(t.member2))).status, 204);
    assert.equal(await memberRow(t.g.id, t.member2.user.id), null);
    const left = await s.next((m) => m.data.type === 'member.left');
    assert.deepEqual(left.data, { type: 'member.left', group_id: t.g.id, user_id: t.member2.user.id });
    const mine = await s.next((m) => m.channel === `user:${t.member2.user.id}`);
    assert.deepEqual(mine.data, { type: 'membership', group_id: t.g.id, joined: false });
    assertError(assert, await t.member2.get(`/api/groups/${t.g.id}`), 404);
    assertError(assert, await t.moderator.del(url(t.member2)), 404, 'not_found');
    assert.equal((await t.admin.del(url(t.moderator))).status, 204);
    assert.equal((await t.owner.del(url(t.admin))).status, 204);
    assert.equal(await memberRow(t.g.id, t.admin.user.id), null);
  });
});

describe('invites', () => {
  test('create, list, preview, accept into a private group', async () => {
    const owner = await newUser();
    const g = await makeGroup(owner, { is_public: false });
    let res = await owner.post(`/api/groups/${g.id}/invites`, { max_uses: 5, expires_in: 3600 });
    assert.equal(res.status, 201, res.text);
    const inv = res.json;
    assert.match(inv.code, /^[A-Za-z0-9_-]{22}$/);
    assert.equal(inv.max_uses, 5);
    const exp = Date.parse(inv.expires_at);
    assert.ok(Math.abs(exp - (Date.now() + 3600e3)) < 120e3, inv.expires_at);
    res = await owner.post(`/api/groups/${g.id}/invites`);
    assert.equal(res.status, 201);
    assert.equal(res.json.expires_at, null);
    assert.equal(res.json.max_uses, null);
    const forever = res.json.code;
    assert.notEqual(forever, inv.code);

    res = await owner.get(`/api/groups/${g.id}/invites`);
    assert.equal(res.status, 200);
    assert.equal(res.json.has_more, false);
    assert.deepEqual(res.json.items.map((i) => i.code).sort(), [inv.code, forever].sort());
    const listed = res.json.items.find((i) => i.code === inv.code);
    assert.equal(listed.uses, 0);
    assert.equal(listed.created_by, owner.user.id);

    res = await anon().get(`/api/invites/${inv.code}`);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json, { group: { id: g.id, name: g.name, icon_url: g.icon_url, member_count: 1 } });

    const u = await newUser();
    const s = await sub([`group:${g.id}`, `user:${u.user.id}`]);
    res = await u.post(`/api/invites/${inv.code}/accept`);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.id, g.id);
    assert.equal(res.json.my_role, 'member');
    assert.equal(await memberRow(g.id, u.user.id), 'member');
    const joined = await s.next((m) => m.data.type === 'member.joined');
    assert.equal(joined.data.group_id, g.id);
    assert.equal(joined.data.member.user.id, u.user.id);
    assert.equal(joined.data.member.role, 'member');
    assert.equal(joined.data.member.online, false);
    const mine = await s.next((m) => m.channel === `user:${u.user.id}`);
    assert.deepEqual(mine.data, { type: 'membership', group_id: g.id, joined: true });
    // Accepting again while a member spends no use.
    assert.equal((await u.post(`/api/invites/${inv.code}/accept`)).status, 200);
    const [row] = await sql('SELECT uses FROM invites WHERE code = $1', [inv.code]);
    assert.equal(row.uses, 1);
    assertError(assert, await anon().post(`/api/invites/${inv.code}/accept`), 401);
  });

  test('bad input: 0, negative, strings, unknown fields -> 400, nothing stored', async () => {
    const owner = await newUser();
    const g = await makeGroup(owner);
    for (const body of [{ max_uses: 0 }, { max_uses: -1 }, { expires_in: 0 }, { expires_in: -5 },
      { max_uses: '3' }, { expires_in: 1.5 }, { max_uses: null, foo: 1 }, { expires_in: 1e12 }]) {
      assertError(assert, await owner.post(`/api/groups/${g.id}/invites`, body), 400, 'validation_failed');
    }
    assert.equal((await sql('SELECT 1 FROM invites WHERE group_id = $1', [g.id])).length, 0);
  });

  test('expired -> 410; used up -> 410; revoked and unknown -> 404', async () => {
    const owner = await newUser();
    const g = await makeGroup(owner, { is_public: false });
    const mk = async (body) => (await owner.post(`/api/groups/${g.id}/invites`, body)).json.code;
    const expired = await mk({ expires_in: 3600 });
    await sql("UPDATE invites SET expires_at = now() - interval '1 second' WHERE code = $1", [expired]);
    const u = await newUser();
    assertError(assert, await anon().get(`/api/invites/${expired}`), 410, 'gone');
    assertError(assert, await u.post(`/api/invites/${expired}/accept`), 410, 'gone');

    const once = await mk({ max_uses: 1 });
    assert.equal((await u.post(`/api/invites/${once}/accept`)).status, 200);
    const v = await newUser();
    assertError(assert, await v.post(`/api/invites/${once}/accept`), 410, 'gone');
    assertError(assert, await anon().get(`/api/invites/${once}`), 410);
    assert.equal(await memberRow(g.id, v.user.id), null);

    const revoked = await mk({});
    assert.equal((await owner.del(`/api/invites/${revoked}`)).status, 204);
    assertError(assert, await anon().get(`/api/invites/${revoked}`), 404, 'not_found');
    assertError(assert, await v.post(`/api/invites/${revoked}/accept`), 404, 'not_found');
    assertError(assert, await owner.del(`/api/invites/${revoked}`), 404);
    assertError(assert, await anon().get('/api/invites/nosuchcode123'), 404);
    assertError(assert, await v.post('/api/invites/nosuchcode123/accept'), 404);

    const list = await owner.get(`/api/groups/${g.id}/invites`);
    assert.deepEqual(list.json.items, [], 'expired, used-up and revoked invites are not live');
  });

  test('concurrent accepts of a max_uses=1 invite add exactly one member', async () => {
    const owner = await newUser();
    const g = await makeGroup(owner, { is_public: false });
    const code = (await owner.post(`/api/groups/${g.id}/invites`, { max_uses: 1 })).json.code;
    const users = [];
    for (let i = 0; i < 8; i++) users.push(await newUser());
    const results = await Promise.all(users.map((u) => u.post(`/api/invites/${code}/accept`)));
    const statuses = results.map((r) => r.status).sort();
    assert.deepEqual(statuses, [200, 410, 410, 410, 410, 410, 410, 410], statuses.join());
    const [{ n }] = await sql('SELECT count(*)::int AS n FROM group_members WHERE group_id = $1', [g.id]);
    assert.equal(n, 2);
    const [row] = await sql('SELECT uses FROM invites WHERE code = $1', [code]);
    assert.equal(row.uses, 1);
  });
});

describe('topics', () => {
  test('create, rename, delete with events carrying the committed ids', async () => {
    const owner = await newUser();
    const g = await makeGroup(owner);
    rc = rc || await redis();
    // Checks the database the moment the event arrives.
    const seen = [];
    const probe = rc.duplicate();
    probe.on('error', () => {});
    await probe.connect();
    await probe.subscribe(`group:${g.id}`, (msg) => {
      const ev = JSON.parse(msg);
      const id = ev.topic?.id ?? ev.id;
      seen.push(sql('SELECT name FROM topics WHERE id = $1', [id]).then((rows) => ({ ev, rows })));
      // (the query starts the moment the event arrives)
    });
    subs.push({ close: () => probe.quit().catch(() => {}) });

    const arrived = async (count) => {
      const deadline = Date.now() + 5000;
      while (seen.length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      assert.equal(seen.length, count, 'event published');
      return await seen[count - 1];
    };

    let res = await owner.post(`/api/groups/${g.id}/topics`, { name: '  Music  ' });
    assert.equal(res.status, 201, res.text);
    const topic = res.json;
    assert.equal(topic.name, 'Music');
    assert.equal(topic.group_id, g.id);
    assert.deepEqual(topic.rooms, []);
    let got = await arrived(1);
    assert.deepEqual(got.ev, { type: 'topic.created', group_id: g.id, topic }, 'the event carries the REST object');
    assert.deepEqual(got.rows, [{ name: 'Music' }], 'topic.created arrived after commit');

    res = await owner.patch(`/api/topics/${topic.id}`, { name: 'Films' });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.name, 'Films');
    got = await arrived(2);
    assert.deepEqual(got.ev, { type: 'topic.updated', group_id: g.id, topic: res.json });
    assert.deepEqual(got.rows, [{ name: 'Films' }], 'topic.updated arrived after commit');

    assert.equal((await owner.del(`/api/topics/${topic.id}`)).status, 204);
    got = await arrived(3);
    assert.deepEqual(got.ev, { type: 'topic.deleted', group_id: g.id, id: topic.id });
    assert.deepEqual(got.rows, [], 'topic.deleted arrived after commit');
    assertError(assert, await owner.del(`/api/topics/${topic.id}`), 404);
    assert.equal(seen.length, 3, 'one event per change');
    const d = await owner.get(`/api/groups/${g.id}`);
    assert.deepEqual(d.json.topics.map((t) => t.name), ['General']);
  });

  test('topic names 1..22 code points; unknown fields refused', async () => {
    const owner = await newUser();
    const g = await makeGroup(owner);
    const url = `/api/groups/${g.id}/topics`;
    assert.equal((await owner.post(url, { name: 'é'.repeat(22) })).status, 201);
    for (const body of [{}, { name: '' }, { name: '   ' }, { name: 'x'.repeat(23) }, { name: 5 }, { name: 'ok', extra: true }]) {
      assertError(assert, await owner.post(url, body), 400, 'validation_failed');
    }
    const topic = g.topics[0].id;
    assertError(assert, await owner.patch(`/api/topics/${topic}`, { name: 'x'.repeat(23) }), 400);
    const rows = await sql('SELECT name FROM topics WHERE group_id = $1 ORDER BY id', [g.id]);
    assert.deepEqual(rows.map((r) => r.name), ['General', 'é'.repeat(22)]);
  });
});

describe('directory', () => {
  test('public groups only, by category and text, paged', async () => {
    const owner = await newUser();
    const tag = unique('dir').replace('dir_', '');
    const a = await makeGroup(owner, { name: `Alpha ${tag}`, category: 'Gaming', description: 'fast games' });
    const b = await makeGroup(owner, { name: `Beta ${tag}`, category: 'Music', description: `jazz ${tag}` });
    const c = await makeGroup(owner, { name: `Gamma 100%_${tag}`, category: 'Gaming' });
    await makeGroup(owner, { name: `Hidden ${tag}`, category: 'Gaming', is_public: false });
    const u = await newUser();
    await u.post(`/api/groups/${b.id}/join`);

    let res = await anon().get(`/api/public-groups?q=${tag}`);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json.items.map((g) => g.id), [b.id, a.id, c.id], 'biggest first, then oldest');
    const item = res.json.items[0];
    assert.deepEqual(Object.keys(item).sort(), ['category', 'description', 'icon_url', 'id', 'member_count', 'name', 'online_count', 'wallpaper_url']);
    assert.equal(item.member_count, 2);
    assert.equal(item.online_count, 0);
    res = await anon().get(`/api/public-groups?q=${tag}&category=Gaming`);
    assert.deepEqual(res.json.items.map((g) => g.id), [a.id, c.id]);
    res = await anon().get(`/api/public-groups?q=${encodeURIComponent('JAZZ ' + tag)}`);
    assert.deepEqual(res.json.items.map((g) => g.id), [b.id], 'description, case-insensitive');
    // As wildcards, % and _ would match all three.
    res = await anon().get(`/api/public-groups?q=${encodeURIComponent(`%_${tag}`)}`);
    assert.deepEqual(res.json.items.map((g) => g.id), [c.id], '% and _ are literal');
    res = await anon().get(`/api/public-groups?q=${tag}&limit=2`);
    assert.equal(res.json.items.length, 2);
    assert.equal(res.json.has_more, true);
    res = await anon().get(`/api/public-groups?q=${tag}&limit=2&offset=2`);
    assert.deepEqual(res.json.items.map((g) => g.id), [c.id]);
    assert.equal(res.json.has_more, false);
    for (const q of ['category=Cooking', 'limit=0', 'offset=-3', `q=${'x'.repeat(101)}`]) {
      assertError(assert, await anon().get(`/api/public-groups?${q}`), 400, 'validation_failed');
    }
    // Invalid UTF-8 in the query string: the request layer refuses it.
    const bad = await anon().get('/api/public-groups?q=%FF%FE');
    assertError(assert, bad, 400, 'bad_request');
  });
});

describe('invalid input changes nothing', () => {
  test('bad JSON, wrong types, too long, invalid UTF-8, unknown fields, wrong content type', async () => {
    const owner = await newUser();
    const g = await makeGroup(owner);
    const [before] = await sql('SELECT name, description, category, is_public FROM groups WHERE id = $1', [g.id]);
    const [{ n: groupsBefore }] = await sql('SELECT count(*)::int AS n FROM groups');
    const bodies = [
      { name: 'x'.repeat(36) }, { name: '' }, { name: ' \t ' }, { name: 42 }, { name: ['a'] },
      { name: unique('ok'), description: 'd'.repeat(141) }, { name: unique('ok'), category: 'Cooking' },
      { name: unique('ok'), is_public: 'yes' }, { name: unique('ok'), owner: 1 }, { name: 'a\u0000b' },
    ];
    for (const body of bodies) {
      assertError(assert, await owner.post('/api/groups', body), 400, 'validation_failed');
      assertError(assert, await owner.patch(`/api/groups/${g.id}`, body), 400, 'validation_failed');
    }
    assertError(assert, await owner.patch(`/api/groups/${g.id}`, { description: 'd'.repeat(141) }), 400, 'validation_failed');
    assertError(assert, await owner.patch(`/api/groups/${g.id}`, { is_public: 1 }), 400, 'validation_failed');
    assertError(assert, await owner.patch(`/api/groups/${g.id}`, { name: 'x', icon: 'a.png' }), 400, 'validation_failed');
    const h = { 'Content-Type': 'application/json' };
    for (const body of ['{"name": "abc"', '[1,2]', '"str"', '{"name":"a"} x']) {
      assertError(assert, await owner.req('POST', '/api/groups', undefined, { body, headers: h }), 400);
      assertError(assert, await owner.req('PATCH', `/api/groups/${g.id}`, undefined, { body, headers: h }), 400);
    }
    const badUtf8 = Buffer.concat([Buffer.from('{"name":"ab'), Buffer.from([0xff, 0xfe]), Buffer.from('c"}')]);
    assertError(assert, await owner.req('POST', '/api/groups', undefined, { body: badUtf8, headers: h }), 400);
    assertError(assert, await owner.req('PATCH', `/api/groups/${g.id}`, undefined, { body: badUtf8, headers: h }), 400);
    const res = await owner.req('POST', '/api/groups', undefined, { body: 'name=x', headers: { 'Content-Type': 'text/plain' } });
    assertError(assert, res, 415);
    const [after] = await sql('SELECT name, description, category, is_public FROM groups WHERE id = $1', [g.id]);
    assert.deepEqual(after, before);
    const [{ n: groupsAfter }] = await sql('SELECT count(*)::int AS n FROM groups');
    assert.equal(groupsAfter, groupsBefore);
  });

  test('exactly 35 code points is fine (counted after trimming)', async () => {
    const owner = await newUser();
    const name = `${unique('n')}${'ü'.repeat(20)}`.slice(0, 35);
    const res = await owner.post('/api/groups', { name: `   ${name}   ` });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.json.name, name);
  });
});
