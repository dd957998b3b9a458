// dms.test.mjs - direct messages, blocks and mentions (issue 13 items 2
// and 5) against the real stack: conversations are private by
// construction (an outsider gets 404 from every endpoint that takes their
// room, message or group id), the same 1:1 opens once, blocks refuse new
// and existing DMs, mentions are resolved on post and edit, counted per
// room and group, paged in the inbox and told live on the user's channel.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { newUser, assertError, unique, sleep } from '../lib/api.mjs';
import { sql, closeDb } from '../lib/db.mjs';
import { connect } from '../lib/ws.mjs';

const open = [];
after(async () => {
  for (const w of open) w.ws.terminate();
  await closeDb();
});

async function ws(c) {
  const w = await connect({ cookie: c.cookieHeader() });
  open.push(w);
  await w.next((e) => e.type === 'hello', 3000);
  return w;
}

async function dm(c, ...others) {
  const res = await c.post('/api/users/me/conversations', { user_ids: others.map((o) => o.user.id) });
  assert.ok(res.status === 201 || res.status === 200, res.text);
  return res.json;
}

async function post(c, room, text, status = 201) {
  const res = await c.post(`/api/rooms/${room}/messages`, { text });
  assert.equal(res.status, status, res.text);
  return res.json;
}

async function group(owner, ...members) {
  const res = await owner.post('/api/groups', { name: unique('g'), is_public: true });
  assert.equal(res.status, 201, res.text);
  for (const m of members) {
    const j = await m.post(`/api/groups/${res.json.id}/join`);
    assert.equal(j.status, 200, j.text);
  }
  return { id: res.json.id, room: res.json.topics[0].rooms[0].id };
}

test('a 1:1 opens once, lists for both, and carries messages between them only', async () => {
  const a = await newUser();
  const b = await newUser();
  const c1 = await dm(a, b);
  assert.equal(c1.is_group, false);
  assert.deepEqual(c1.members.map((m) => m.id).sort(), [a.user.id, b.user.id].sort());
  const again = await b.post('/api/users/me/conversations', { user_ids: [a.user.id] });
  assert.equal(again.status, 200, again.text);
  assert.equal(again.json.id, c1.id, 'the same conversation, from either side');
  // Opened at once from both sides: still one.
  const [x, y] = await Promise.all([dm(a, b), dm(b, a)]);
  assert.equal(x.id, c1.id);
  assert.equal(y.id, c1.id);
  assert.equal(Number((await sql('SELECT count(*) AS n FROM conversations WHERE pair = $1',
    [`${Math.min(a.user.id, b.user.id)}:${Math.max(a.user.id, b.user.id)}`]))[0].n), 1);

  const wb = await ws(b);
  const m = await post(a, c1.room_id, 'hello b');
  const ev = await wb.next((e) => e.type === 'message.created' && e.message.id === m.id, 3000);
  assert.equal(ev.group_id, c1.id);
  const list = await b.get('/api/users/me/conversations');
  assert.equal(list.status, 200, list.text);
  const mine = list.json.items.find((i) => i.id === c1.id);
  assert.ok(mine, 'listed for the other participant');
  assert.equal(mine.unread_count, 1);
  assert.equal(mine.last_message_id, m.id);
  const one = await b.get(`/api/users/me/conversations/${c1.id}`);
  assert.equal(one.status, 200);
  // Not a group in "my groups".
  const groups = await a.get('/api/groups');
  assert.ok(!groups.json.items.some((g) => g.id === c1.id), 'DMs are not listed as groups');
  // History, edits, replies and read markers are the room machinery's.
  const r = await post(b, c1.room_id, 'reply');
  const reply = await b.post(`/api/rooms/${c1.room_id}/messages`, { text: 'a reply', reply_to: m.id });
  assert.equal(reply.status, 201, reply.text);
  assert.equal((await b.patch(`/api/messages/${r.id}`, { text: 'edited' })).status, 200);
  const page = await a.get(`/api/rooms/${c1.room_id}/messages`);
  assert.equal(page.json.items.length, 3);
  assert.equal((await b.post(`/api/rooms/${c1.room_id}/read`, { last_read_id: reply.json.id })).status, 204);
  // Never in the public directory; one who left is put back when it is opened again.
  const dir = await a.get('/api/public-groups?limit=100');
  assert.ok(!dir.json.items.some((g) => g.id === c1.id));
  assert.equal((await b.post(`/api/groups/${c1.id}/leave`)).status, 204);
  assertError(assert, await b.get(`/api/rooms/${c1.room_id}/messages`), 404);
  const back = await a.post('/api/users/me/conversations', { user_ids: [b.user.id] });
  assert.equal(back.status, 200, back.text);
  assert.equal(back.json.id, c1.id);
  assert.equal((await b.get(`/api/rooms/${c1.room_id}/messages`)).status, 200);
});

test('an outsider learns nothing: 404 from every endpoint that takes the conversation, its room or a message', async () => {
  const a = await newUser();
  const b = await newUser();
  const out = await newUser();
  const c = await dm(a, b);
  const m = await post(a, c.room_id, 'secret words zebracorn');
  const wo = await ws(out);
  const checks = [
    ['GET', `/api/users/me/conversations/${c.id}`],
    ['GET', `/api/rooms/${c.room_id}`],
    ['PATCH', `/api/rooms/${c.room_id}`, { name: 'x' }],
    ['DELETE', `/api/rooms/${c.room_id}`],
    ['GET', `/api/rooms/${c.room_id}/messages`],
    ['POST', `/api/rooms/${c.room_id}/messages`, { text: 'hi' }],
    ['POST', `/api/rooms/${c.room_id}/read`, { last_read_id: m.id }],
    ['PATCH', `/api/messages/${m.id}`, { text: 'x' }],
    ['DELETE', `/api/messages/${m.id}`],
    ['GET', `/api/groups/${c.id}`],
    ['GET', `/api/groups/${c.id}/members`],
    ['POST', `/api/groups/${c.id}/join`],
    ['POST', `/api/groups/${c.id}/invites`, {}],
    ['GET', `/api/groups/${c.id}/invites`],
  ];
  for (const [method, path, body] of checks) {
    const res = await out.req(method, path, body);
    assertError(assert, res, 404);
  }
  // Search: nothing, by word, by room or by in:@user.
  for (const q of ['zebracorn', `zebracorn in:@${a.user.username}`]) {
    const s = await out.get(`/api/search/messages?q=${encodeURIComponent(q)}`);
    assert.equal(s.status, 200, s.text);
    assert.equal(s.json.items.length, 0, q);
  }
  const sr = await out.get(`/api/search/messages?q=zebracorn&room_id=${c.room_id}`);
  assert.ok(sr.status === 404 || (sr.status === 200 && sr.json.items.length === 0), sr.text);
  // A participant finds it with in:@user.
  const found = await b.get(`/api/search/messages?q=${encodeURIComponent(`zebracorn in:@${a.user.username}`)}`);
  assert.equal(found.status, 200, found.text);
  assert.deepEqual(found.json.items.map((i) => i.id), [m.id]);
  // Events neither: a message and typing in the conversation never reach the outsider.
  const wa = await ws(a);
  wa.send({ type: 'focus', group_id: c.id });
  wo.send({ type: 'focus', group_id: c.id });
  await sleep(100);
  wa.send({ type: 'typing', room_id: c.room_id, is_typing: true });
  await post(a, c.room_id, 'more');
  await sleep(500);
  assert.equal(wo.events.filter((e) => e.group_id === c.id).length, 0);
  // Participants are plain members: no renames, invites or room changes.
  assertError(assert, await b.patch(`/api/rooms/${c.room_id}`, { name: 'x' }), 403);
  assertError(assert, await b.post(`/api/groups/${c.id}/invites`, {}), 403);
});

test('typing in a DM reaches the other participant', async () => {
  const a = await newUser();
  const b = await newUser();
  const c = await dm(a, b);
  const wa = await ws(a);
  const wb = await ws(b);
  wa.send({ type: 'focus', group_id: c.id });
  wb.send({ type: 'focus', group_id: c.id });
  await sleep(100);
  wa.send({ type: 'typing', room_id: c.room_id, is_typing: true });
  const ev = await wb.next((e) => e.type === 'typing', 3000);
  assert.equal(ev.room_id, c.room_id);
  assert.equal(ev.user_id, a.user.id);
});

test('group conversations: up to 10 people, bad input changes nothing', async () => {
  const a = await newUser();
  const others = [];
  for (let i = 0; i < 10; i++) others.push(await newUser());
  const before = Number((await sql('SELECT count(*) AS n FROM conversations'))[0].n);
  for (const body of [{}, { user_ids: [] }, { user_ids: 'x' }, { user_ids: [a.user.id] },
    { user_ids: [others[0].user.id, others[0].user.id] }, { user_ids: [-1] }, { user_ids: [1.5] },
    { user_ids: others.map((o) => o.user.id) }, { user_ids: [others[0].user.id], extra: 1 }]) {
    assertError(assert, await a.post('/api/users/me/conversations', body), 400, 'validation_failed');
  }
  assertError(assert, await a.post('/api/users/me/conversations', { user_ids: [2 ** 40] }), 404);
  assert.equal(Number((await sql('SELECT count(*) AS n FROM conversations'))[0].n), before);
  const g = await dm(a, ...others.slice(0, 9));
  assert.equal(g.is_group, true);
  assert.equal(g.members.length, 10);
  const g2 = await dm(a, ...others.slice(0, 9));
  assert.notEqual(g2.id, g.id, 'group conversations are not deduplicated');
  const m = await post(others[3], g.room_id, 'hi all');
  assert.equal(m.room_id, g.room_id);
});

test('blocking: no new conversation, no posts in an existing one; unblocking restores', async () => {
  const a = await newUser();
  const b = await newUser();
  const c = await dm(a, b);
  assertError(assert, await a.put(`/api/users/me/blocks/${a.user.id}`), 400);
  assertError(assert, await a.put(`/api/users/me/blocks/${2 ** 40}`), 404);
  assert.equal((await a.put(`/api/users/me/blocks/${b.user.id}`)).status, 204);
  assert.equal((await a.put(`/api/users/me/blocks/${b.user.id}`)).status, 204, 'idempotent');
  const list = await a.get('/api/users/me/blocks');
  assert.deepEqual(list.json.items.map((u) => u.id), [b.user.id]);
  const before = Number((await sql('SELECT count(*) AS n FROM messages WHERE room_id = $1', [c.room_id]))[0].n);
  assertError(assert, await b.post(`/api/rooms/${c.room_id}/messages`, { text: 'let me in' }), 403);
  assertError(assert, await b.post(`/api/rooms/${c.room_id}/messages`, { text: '@everyone hey' }), 403);
  assertError(assert, await b.post('/api/users/me/conversations', { user_ids: [a.user.id] }), 403);
  const d = await newUser();
  assertError(assert, await b.post('/api/users/me/conversations', { user_ids: [a.user.id, d.user.id] }), 403);
  assert.equal(Number((await sql('SELECT count(*) AS n FROM messages WHERE room_id = $1', [c.room_id]))[0].n), before);
  // The blocker may still write; blocking does not touch shared groups.
  await post(a, c.room_id, 'I can still write');
  const g = await group(a, b);
  await post(b, g.room, 'in a shared group');
  assert.equal((await a.del(`/api/users/me/blocks/${b.user.id}`)).status, 204);
  assert.equal((await a.del(`/api/users/me/blocks/${b.user.id}`)).status, 204, 'idempotent');
  await post(b, c.room_id, 'back again');
});

test('mentions: resolved on post and edit, counted, paged, told live', async () => {
  const owner = await newUser();
  const b = await newUser();
  const c = await newUser();
  const g = await group(owner, b, c);
  const wb = await ws(b);
  // A member mentioning b (case-insensitive), herself and a stranger.
  const stranger = await newUser();
  const m1 = await post(c, g.room, `hi @${b.user.username.toUpperCase()} and @${c.user.username} @${stranger.user.username}`);
  const ev = await wb.next((e) => e.type === 'mention.created', 3000);
  assert.equal(ev.message.id, m1.id);
  assert.equal(ev.group_id, g.id);
  const rows = await sql('SELECT user_id, kind FROM mentions WHERE message_id = $1', [m1.id]);
  assert.deepEqual(rows.map((r) => [Number(r.user_id), r.kind]), [[b.user.id, 'user']],
    'not the sender, not a non-member');
  // Counts apart from unread, per group and per room.
  await post(c, g.room, 'no mention');
  let groups = await b.get('/api/groups');
  let gi = groups.json.items.find((x) => x.id === g.id);
  assert.equal(gi.mention_count, 1);
  assert.equal(gi.unread_count, 2);
  let detail = await b.get(`/api/groups/${g.id}`);
  assert.equal(detail.json.topics[0].rooms[0].mention_count, 1);
  // @everyone from a member is not a mention unless the group allows it;
  // from the owner it is.
  const e1 = await post(c, g.room, '@everyone look');
  assert.equal((await sql('SELECT count(*) AS n FROM mentions WHERE message_id = $1', [e1.id]))[0].n, '0');
  const e2 = await post(owner, g.room, '@everyone look');
  assert.equal((await sql('SELECT count(*) AS n FROM mentions WHERE message_id = $1', [e2.id]))[0].n, '2');
  // The group setting: owner and admins only, a boolean, shown in the detail.
  assertError(assert, await c.patch(`/api/groups/${g.id}`, { everyone_mentions: true }), 403);
  assertError(assert, await owner.patch(`/api/groups/${g.id}`, { everyone_mentions: 'yes' }), 400);
  assert.equal((await b.get(`/api/groups/${g.id}`)).json.everyone_mentions, false);
  const set = await owner.patch(`/api/groups/${g.id}`, { everyone_mentions: true });
  assert.equal(set.status, 200, set.text);
  assert.equal(set.json.everyone_mentions, true);
  const e3 = await post(c, g.room, '@everyone now allowed');
  assert.equal((await sql('SELECT count(*) AS n FROM mentions WHERE message_id = $1', [e3.id]))[0].n, '2');
  // @here: only online members (b has a socket, owner has none).
  const h = await post(c, g.room, 'ping @here');
  const here = await sql('SELECT user_id FROM mentions WHERE message_id = $1', [h.id]);
  assert.deepEqual(here.map((r) => Number(r.user_id)), [b.user.id]);
  // An edit re-resolves: b loses the mention, owner gains one (and is told).
  const wo = await ws(owner);
  const ed = await c.patch(`/api/messages/${m1.id}`, { text: `now @${owner.user.username}` });
  assert.equal(ed.status, 200, ed.text);
  const oev = await wo.next((e) => e.type === 'mention.created', 3000);
  assert.equal(oev.message.id, m1.id);
  const after1 = await sql('SELECT user_id FROM mentions WHERE message_id = $1', [m1.id]);
  assert.deepEqual(after1.map((r) => Number(r.user_id)), [owner.user.id]);
  // The inbox, newest first, paged by before=.
  const inbox = await b.get('/api/users/me/mentions?limit=2');
  assert.equal(inbox.status, 200, inbox.text);
  assert.deepEqual(inbox.json.items.map((i) => i.message.id), [h.id, e3.id]);
  assert.equal(inbox.json.has_more, true);
  assert.equal(inbox.json.items[0].group_id, g.id);
  assert.equal(inbox.json.items[0].kind, 'here');
  const next = await b.get(`/api/users/me/mentions?limit=2&before=${e3.id}`);
  assert.deepEqual(next.json.items.map((i) => i.message.id), [e2.id]);
  assert.equal(next.json.has_more, false);
  assertError(assert, await b.get('/api/users/me/mentions?limit=0'), 400);
  assertError(assert, await b.get('/api/users/me/mentions?before=x'), 400);
  // Reading the room clears the count; a deleted message no longer counts.
  groups = await b.get('/api/groups');
  gi = groups.json.items.find((x) => x.id === g.id);
  assert.equal(gi.mention_count, 3);
  assert.equal((await c.del(`/api/messages/${h.id}`)).status, 204);
  groups = await b.get('/api/groups');
  assert.equal(groups.json.items.find((x) => x.id === g.id).mention_count, 2);
  assert.equal((await b.post(`/api/rooms/${g.room}/read`, { last_read_id: e3.id })).status, 204);
  detail = await b.get(`/api/groups/${g.id}`);
  assert.equal(detail.json.topics[0].rooms[0].mention_count, 0);
  // Someone who blocked the sender is not mentioned by them.
  assert.equal((await b.put(`/api/users/me/blocks/${c.user.id}`)).status, 204);
  const bl = await post(c, g.room, `hey @${b.user.username}`);
  assert.equal((await sql('SELECT count(*) AS n FROM mentions WHERE message_id = $1', [bl.id]))[0].n, '0');
});

test('mentions in a DM count on the conversation', async () => {
  const a = await newUser();
  const b = await newUser();
  const c = await dm(a, b);
  await post(a, c.room_id, `@${b.user.username} look`);
  const list = await b.get('/api/users/me/conversations');
  const it = list.json.items.find((i) => i.id === c.id);
  assert.equal(it.mention_count, 1);
  const inbox = await b.get('/api/users/me/mentions');
  assert.equal(inbox.json.items[0].is_dm, true);
});
