// unread-counts.test.mjs - the unread and mention counts that triggers keep
// (migration 0080, db/functions/34_counts.sql) stay exact through posts,
// deletions (own and a moderator's), reads from two devices, mentions
// added and removed by edits, join, leave, kick, ban and DMs: after every
// step GET /api/groups (from both devices), the group detail and the DM
// list agree with a count made from the messages themselves, and the
// maintained columns agree with the rows they summarise.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Client, newUser, unique } from '../lib/api.mjs';
import { sql, closeDb } from '../lib/db.mjs';

after(closeDb);

/** The counts per room of group `groupId` for `userId`, counted from the
 * messages (what the API showed before 0080). */
async function truth(groupId, userId) {
  return sql(`SELECT rm.id::int AS room,
      (SELECT count(*) FROM messages x WHERE x.room_id = rm.id
        AND x.id > coalesce(k.last_read_id, 0) AND x.deleted_at IS NULL
        AND x.sender_id IS DISTINCT FROM $2::bigint)::int AS unread,
      (SELECT count(*) FROM mentions mn JOIN messages x ON x.id = mn.message_id
        WHERE mn.user_id = $2 AND mn.room_id = rm.id AND x.deleted_at IS NULL
        AND mn.message_id > coalesce(k.last_read_id, 0))::int AS mentions
    FROM rooms rm LEFT JOIN read_markers k ON k.room_id = rm.id AND k.user_id = $2
    WHERE rm.group_id = $1 ORDER BY rm.id`, [groupId, userId]);
}

/** The maintained figures of group `groupId`'s rooms that differ from the
 * rows they summarise (none when the triggers kept them exact). */
async function drift(groupId) {
  return sql(`SELECT 'room' AS what, r.id FROM rooms r
      WHERE r.group_id = $1 AND (r.msg_seq, r.last_deleted_id) IS DISTINCT FROM
        ((SELECT count(*) FROM messages x WHERE x.room_id = r.id),
         (SELECT coalesce(max(id), 0) FROM messages x
           WHERE x.room_id = r.id AND x.deleted_at IS NOT NULL))
    UNION ALL SELECT 'seq', m.id FROM messages m JOIN rooms r ON r.id = m.room_id
      WHERE r.group_id = $1 AND m.seq <> (SELECT count(*) FROM messages y
        WHERE y.room_id = m.room_id AND y.id <= m.id)
    UNION ALL SELECT 'marker', k.user_id FROM read_markers k JOIN rooms r ON r.id = k.room_id
      WHERE r.group_id = $1 AND (k.read_seq, k.mention_count) IS DISTINCT FROM
        ((SELECT count(*) FROM messages x WHERE x.room_id = k.room_id AND x.id <= k.last_read_id),
         (SELECT count(*)::int FROM mentions mn JOIN messages x ON x.id = mn.message_id
           WHERE mn.user_id = k.user_id AND mn.room_id = k.room_id
           AND x.deleted_at IS NULL AND mn.message_id > k.last_read_id))`, [groupId]);
}

/** Asserts what every device of `user` sees for group `g` (null: not
 * listed) and that the figures match the messages. */
async function expect(devices, g, want, label) {
  const userId = devices[0].user.id;
  const rows = await truth(g.id, userId);
  const sum = (f) => rows.reduce((a, r) => a + r[f], 0);
  assert.deepEqual(await drift(g.id), [], `${label}: maintained figures drift`);
  for (const d of devices) {
    const list = await d.get('/api/groups?limit=100');
    assert.equal(list.status, 200, list.text);
    const item = list.json.items.find((x) => x.id === g.id);
    if (want === null) {
      assert.equal(item, undefined, `${label}: not listed`);
      continue;
    }
    assert.ok(item, `${label}: listed`);
    assert.deepEqual({ unread: item.unread_count, mentions: item.mention_count, has: item.has_unread },
      { unread: want.unread, mentions: want.mentions, has: want.unread > 0 }, label);
  }
  if (want === null) return;
  assert.deepEqual({ unread: sum('unread'), mentions: sum('mentions') }, want, `${label}: counted from the messages`);
  const detail = await devices[0].get(`/api/groups/${g.id}`);
  const rooms = detail.json.topics.flatMap((t) => t.rooms);
  for (const r of rows) {
    const shown = rooms.find((x) => x.id === r.room);
    assert.deepEqual({ unread: shown.unread_count, mentions: shown.mention_count },
      { unread: r.unread, mentions: r.mentions }, `${label}: room ${r.room} in the detail`);
  }
}

async function post(c, room, text) {
  const res = await c.post(`/api/rooms/${room}/messages`, { text });
  assert.equal(res.status, 201, res.text);
  return res.json;
}

async function ok(res, status = 200) {
  assert.equal(res.status, status, res.text);
  return res.json;
}

/** A second device (Bearer tokens) of the signed-up client `c`. */
async function secondDevice(c) {
  const d = new Client();
  d.user = c.user;
  d.password = c.password;
  await d.useBearer();
  return d;
}

test('counts stay exact through posts, deletions, reads, edits and membership', async () => {
  const owner = await newUser();
  const a = await newUser();
  const b = await newUser();
  const a2 = await secondDevice(a);
  const A = [a, a2];
  const g = await ok(await owner.post('/api/groups', { name: unique('uc'), is_public: true }), 201);
  const room = g.topics[0].rooms[0].id;
  const room2 = (await ok(await owner.post(`/api/topics/${g.topics[0].id}/rooms`, { name: 'two' }), 201)).id;
  await ok(await a.post(`/api/groups/${g.id}/join`));
  await ok(await b.post(`/api/groups/${g.id}/join`));
  await expect(A, g, { unread: 0, mentions: 0 }, 'joined');

  const m = [];
  for (let i = 0; i < 4; i++) m.push(await post(b, room, `hello ${i}`));
  await post(owner, room2, 'in room two');
  await expect(A, g, { unread: 5, mentions: 0 }, 'five posts in two rooms');

  const at = await post(b, room, `hi @${a.user.username}`);
  await expect(A, g, { unread: 6, mentions: 1 }, 'a mention');
  // Posting reads the room up to the new message (own messages never count).
  await post(a, room2, `own message, @${b.user.username}`);
  await expect(A, g, { unread: 5, mentions: 1 }, 'an own post reads its room');

  await ok(await b.del(`/api/messages/${m[0].id}`), 204);
  await expect(A, g, { unread: 4, mentions: 1 }, 'deleted by its sender');
  await ok(await owner.del(`/api/messages/${m[1].id}`), 204);
  await expect(A, g, { unread: 3, mentions: 1 }, 'deleted by a moderator');

  await ok(await b.patch(`/api/messages/${m[2].id}`, { text: `now @${a.user.username}` }));
  await expect(A, g, { unread: 3, mentions: 2 }, 'a mention added by an edit');
  await ok(await b.patch(`/api/messages/${m[2].id}`, { text: 'no mention any more' }));
  await expect(A, g, { unread: 3, mentions: 1 }, 'a mention removed by an edit');
  await ok(await b.del(`/api/messages/${at.id}`), 204);
  await expect(A, g, { unread: 2, mentions: 0 }, 'a mentioned message deleted');

  // Reading from one device shows on the other; a marker moves forward only.
  const again = await post(b, room, `again @${a.user.username}`);
  await expect(A, g, { unread: 3, mentions: 1 }, 'a new mention');
  await ok(await a2.post(`/api/rooms/${room}/read`, { last_read_id: m[2].id }), 204);
  await expect(A, g, { unread: 2, mentions: 1 }, 'read up to the middle on device 2');
  await ok(await a.post(`/api/rooms/${room}/read`, { last_read_id: m[0].id }), 204);
  await expect(A, g, { unread: 2, mentions: 1 }, 'an older marker from device 1 does not move back');
  await ok(await a.post(`/api/rooms/${room}/read`, { last_read_id: again.id }), 204);
  await expect(A, g, { unread: 0, mentions: 0 }, 'room read on device 1');
  // A read message deleted later changes nothing.
  await ok(await owner.del(`/api/messages/${m[3].id}`), 204);
  await expect(A, g, { unread: 0, mentions: 0 }, 'a read message deleted');
  await ok(await a2.post(`/api/rooms/${room2}/read`, { last_read_id: 10 ** 15 }), 204);
  await expect(A, g, { unread: 0, mentions: 0 }, 'a marker past the end');
  const late = await post(b, room2, `late @${a.user.username}`);
  await post(b, room2, 'later');
  await ok(await owner.del(`/api/messages/${late.id}`), 204);
  await expect(A, g, { unread: 1, mentions: 0 }, 'an unread mention deleted');

  // Leave and join again: no backlog.
  await ok(await a.post(`/api/groups/${g.id}/leave`), 204);
  await expect(A, g, null, 'left');
  await post(b, room, `while away @${a.user.username}`);
  await ok(await a.post(`/api/groups/${g.id}/join`));
  await expect(A, g, { unread: 0, mentions: 0 }, 'joined again');
  await post(b, room, `back @${a.user.username}`);
  await expect(A, g, { unread: 1, mentions: 1 }, 'a mention after joining again');

  // Kicked, joined again; banned, unbanned, joined again.
  await ok(await owner.del(`/api/groups/${g.id}/members/${a.user.id}`), 204);
  await expect(A, g, null, 'kicked');
  await ok(await a.post(`/api/groups/${g.id}/join`));
  await expect(A, g, { unread: 0, mentions: 0 }, 'joined after the kick');
  await post(b, room2, `@${a.user.username} again`);
  await ok(await owner.put(`/api/groups/${g.id}/bans/${a.user.id}`, {}));
  await expect(A, g, null, 'banned');
  await post(b, room2, 'while banned');
  await ok(await owner.del(`/api/groups/${g.id}/bans/${a.user.id}`), 204);
  await ok(await a.post(`/api/groups/${g.id}/join`));
  await expect(A, g, { unread: 0, mentions: 0 }, 'joined after the ban');
  await post(b, room2, 'welcome back');
  await expect(A, g, { unread: 1, mentions: 0 }, 'a post after the ban');
});

test('DMs: counts in the conversation list, never in the groups list', async () => {
  const a = await newUser();
  const b = await newUser();
  const a2 = await secondDevice(a);
  const c = await ok(await b.post('/api/users/me/conversations', { user_ids: [a.user.id] }), 201);
  const g = { id: c.id }; // a conversation's id is its hidden group's
  const dmCounts = async (d) => {
    const list = await ok(await d.get('/api/users/me/conversations'));
    const it = list.items.find((x) => x.id === c.id);
    return { unread: it.unread_count, mentions: it.mention_count };
  };
  await post(a, c.room_id, 'own');
  const one = await post(b, c.room_id, 'hi');
  await post(b, c.room_id, `hey @${a.user.username}`);
  for (const d of [a, a2]) assert.deepEqual(await dmCounts(d), { unread: 2, mentions: 1 });
  await expect([a, a2], g, null, 'a DM is not a group');
  await ok(await b.del(`/api/messages/${one.id}`), 204);
  for (const d of [a, a2]) assert.deepEqual(await dmCounts(d), { unread: 1, mentions: 1 });
  await ok(await a2.post(`/api/rooms/${c.room_id}/read`, { last_read_id: 10 ** 15 }), 204);
  for (const d of [a, a2]) assert.deepEqual(await dmCounts(d), { unread: 0, mentions: 0 });
  assert.deepEqual(await drift(g.id), []);
});

test('concurrent posts into one room number its messages without gaps', async () => {
  const owner = await newUser();
  const users = [owner];
  const g = await ok(await owner.post('/api/groups', { name: unique('uc'), is_public: true }), 201);
  for (let i = 0; i < 3; i++) {
    const u = await newUser();
    await ok(await u.post(`/api/groups/${g.id}/join`));
    users.push(u);
  }
  const room = g.topics[0].rooms[0].id;
  await Promise.all(users.map(async (u) => {
    for (let i = 0; i < 10; i++) await post(u, room, `burst ${i} @${users[(i + 1) % users.length].user.username}`);
  }));
  assert.deepEqual(await drift(g.id), []);
  const [r] = await sql('SELECT msg_seq FROM rooms WHERE id = $1', [room]);
  assert.equal(Number(r.msg_seq), 40);
  for (const u of users) {
    const rows = await truth(g.id, u.user.id);
    const list = await ok(await u.get('/api/groups?limit=100'));
    const item = list.items.find((x) => x.id === g.id);
    assert.equal(item.unread_count, rows.reduce((a, x) => a + x.unread, 0));
    assert.equal(item.mention_count, rows.reduce((a, x) => a + x.mentions, 0));
  }
});

test('a retried post (same nonce) counts once: no phantom message in the room\'s figures', async () => {
  const owner = await newUser();
  const reader = await newUser();
  const g = await ok(await owner.post('/api/groups', { name: unique('uc'), is_public: true }), 201);
  await ok(await reader.post(`/api/groups/${g.id}/join`));
  const room = g.topics[0].rooms[0].id;
  // Without and with an '@' (the fast statement alone, and in a
  // transaction with the mentions), and again after another message.
  for (const text of ['retried', `retried @${reader.user.username}`]) {
    const nonce = unique('n');
    const first = await ok(await owner.post(`/api/rooms/${room}/messages`, { text, nonce }), 201);
    const again = await ok(await owner.post(`/api/rooms/${room}/messages`, { text, nonce }), 200);
    assert.equal(again.id, first.id);
  }
  const [r] = await sql('SELECT msg_seq, last_message_id FROM rooms WHERE id = $1', [room]);
  const [m] = await sql('SELECT count(*) AS n, max(id) AS last FROM messages WHERE room_id = $1', [room]);
  assert.deepEqual({ seq: Number(r.msg_seq), last: String(r.last_message_id) },
    { seq: Number(m.n), last: String(m.last) }, 'the room counts the messages it has');
  assert.deepEqual(await drift(g.id), []);
  await expect([reader], g, { unread: 2, mentions: 1 }, 'two messages, one mention');
  await ok(await reader.post(`/api/rooms/${room}/read`, { last_read_id: 10 ** 15 }), 204);
  await expect([reader], g, { unread: 0, mentions: 0 }, 'read to the end');
});
