// rooms.test.mjs - the rooms program (fcgi-apps/rooms/openapi.yaml) through
// lighttpd against the real PostgreSQL and Redis: every endpoint and its
// errors, the role x action matrix, cursor pages, nonce retries, concurrent
// posting, events after commit and invalid input that changes nothing.
//
// Groups, members and topics are made with SQL (the groups program is
// someone else's), so these tests depend only on the rooms program.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Client, raw, unique, newUser, assertError, env } from '../lib/api.mjs';
import { sql, subscribe, closeDb } from '../lib/db.mjs';

after(closeDb);

const TS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/** A group owned by `owner` with topic General; `members` maps role -> client. */
async function makeGroup(owner, members = {}) {
  const [g] = await sql('INSERT INTO groups (name) VALUES ($1) RETURNING id', [unique('grp')]);
  await sql("INSERT INTO group_members (group_id, user_id, role) VALUES ($1, $2, 'owner')",
    [g.id, owner.user.id]);
  for (const [role, c] of Object.entries(members)) {
    await sql('INSERT INTO group_members (group_id, user_id, role) VALUES ($1, $2, $3)',
      [g.id, c.user.id, role.replace(/\d+$/, '')]);
  }
  const [t] = await sql("INSERT INTO topics (group_id, name) VALUES ($1, 'General') RETURNING id", [g.id]);
  return { id: Number(g.id), topic: Number(t.id) };
}

async function makeRoom(c, topic, name = 'home') {
  const res = await c.post(`/api/topics/${topic}/rooms`, { name });
  assert.equal(res.status, 201, res.text);
  return res.json;
}

async function post(c, room, body) {
  const res = await c.post(`/api/rooms/${room}/messages`, typeof body === 'string' ? { text: body } : body);
  assert.equal(res.status, 201, res.text);
  return res.json;
}

async function count(text, params = []) {
  return Number((await sql(text, params))[0].n);
}

/** Every message of a room, walking pages in one direction. */
async function walk(c, room, dir, limit) {
  const ids = [];
  let cursor = dir === 'after' ? 0 : null;
  for (let guard = 0; guard < 1000; guard++) {
    const q = cursor === null ? `limit=${limit}` : `${dir}=${cursor}&limit=${limit}`;
    const res = await c.get(`/api/rooms/${room}/messages?${q}`);
    assert.equal(res.status, 200, res.text);
    assert.ok(res.json.items.length <= limit);
    ids.push(...res.json.items.map((m) => m.id));
    if (!res.json.has_more) return ids;
    assert.equal(res.json.items.length, limit, 'a page with has_more is full');
    cursor = res.json.items.at(-1).id;
  }
  throw new Error('pagination does not end');
}

// One shared group with every role, for the tests that only read.
const world = (async () => {
  const owner = await newUser();
  const roles = { admin: await newUser(), moderator: await newUser(), member: await newUser(),
    member2: await newUser() };
  const outsider = await newUser();
  const g = await makeGroup(owner, roles);
  const room = await makeRoom(owner, g.topic);
  return { owner, ...roles, outsider, anon: new Client(), g, room };
})();

test('room lifecycle: create (trimmed), get, patch, delete with its messages', async () => {
  const { owner, g } = await world;
  const sub = await subscribe(`group:${g.id}`);
  try {
    let res = await owner.post(`/api/topics/${g.topic}/rooms`, { name: '  lobby  ', description: ' about ' });
    assert.equal(res.status, 201, res.text);
    const room = res.json;
    assert.deepEqual(Object.keys(room).sort(),
      ['created_at', 'description', 'group_id', 'id', 'last_message_id', 'name', 'slow_mode_seconds', 'topic_id']);
    assert.equal(room.name, 'lobby');
    assert.equal(room.description, 'about');
    assert.equal(room.group_id, g.id);
    assert.equal(room.topic_id, g.topic);
    assert.equal(room.last_message_id, 0);
    assert.match(room.created_at, TS);
    let ev = await sub.next((m) => m.data.type === 'room.created' && m.data.room.id === room.id);
    assert.deepEqual(ev.data, { type: 'room.created', group_id: g.id, room });

    res = await owner.get(`/api/rooms/${room.id}`);
    assert.equal(res.status, 200);
    assert.deepEqual(res.json, { ...room, unread_count: 0, last_read_id: 0 });

    res = await owner.post(`/api/topics/${g.topic}/rooms`, { name: 'x'.repeat(22), description: 'é'.repeat(100) });
    assert.equal(res.status, 201, 'the limits are inclusive and count code points');

    res = await owner.patch(`/api/rooms/${room.id}`, { description: 'new words' });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json, { ...room, description: 'new words' });
    ev = await sub.next((m) => m.data.type === 'room.updated' && m.data.room.id === room.id);
    assert.deepEqual(ev.data, { type: 'room.updated', group_id: g.id, room: res.json });
    res = await owner.patch(`/api/rooms/${room.id}`, { name: 'renamed' });
    assert.equal(res.json.name, 'renamed');
    assert.equal(res.json.description, 'new words');
    res = await owner.patch(`/api/rooms/${room.id}`, {});
    assert.equal(res.status, 200);
    assert.equal(res.json.name, 'renamed');

    const m = await post(owner, room.id, 'soon gone');
    await post(owner, room.id, { text: 'reply', reply_to: m.id });
    res = await owner.del(`/api/rooms/${room.id}`);
    assert.equal(res.status, 204);
    ev = await sub.next((e) => e.data.type === 'room.deleted' && e.data.id === room.id);
    assert.deepEqual(ev.data, { type: 'room.deleted', group_id: g.id, id: room.id });
    assert.equal(await count('SELECT count(*) AS n FROM messages WHERE room_id = $1', [room.id]), 0);
    assert.equal(await count('SELECT count(*) AS n FROM read_markers WHERE room_id = $1', [room.id]), 0);
    assertError(assert, await owner.get(`/api/rooms/${room.id}`), 404, 'not_found');
    assertError(assert, await owner.del(`/api/rooms/${room.id}`), 404, 'not_found');
    assertError(assert, await owner.patch(`/api/rooms/${room.id}`, { name: 'x' }), 404, 'not_found');
  } finally {
    await sub.close();
  }
});

test('room input errors answer 400/404/415 and create nothing', async () => {
  const { owner, g } = await world;
  const before = await count('SELECT count(*) AS n FROM rooms');
  const url = `/api/topics/${g.topic}/rooms`;
  const bad = [
    [{}, 'name'], [{ name: '' }, 'name'], [{ name: '   ' }, 'name'], [{ name: 'x'.repeat(23) }, 'name'],
    [{ name: 5 }, 'name'], [{ name: 'ok', description: 'd'.repeat(101) }, 'description'],
    [{ name: 'ok', description: 7 }, 'description'], [{ name: 'ok', topic_id: 1 }, 'topic_id'],
    [{ name: 'a\u0000b' }, 'name'],
  ];
  for (const [body, field] of bad) {
    const res = await owner.post(url, body);
    assertError(assert, res, 400, 'validation_failed');
    assert.ok(res.json.error.fields[field], `${JSON.stringify(body)}: ${res.text}`);
  }
  assertError(assert, await owner.post(url, undefined, { body: '{"name": "x"', headers: { 'Content-Type': 'application/json' } }), 400, 'bad_json');
  assertError(assert, await owner.post(url, undefined, { body: '["x"]', headers: { 'Content-Type': 'application/json' } }), 400, 'bad_json');
  assertError(assert, await owner.post(url, undefined, { body: Buffer.from([0x7b, 0x22, 0x6e, 0x61, 0x6d, 0x65, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d]), headers: { 'Content-Type': 'application/json' } }), 400);
  assertError(assert, await owner.post(url, undefined, { body: 'name=x', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }), 415);
  assertError(assert, await owner.post('/api/topics/999999999/rooms', { name: 'x' }), 404, 'not_found');
  const { id: room } = await makeRoom(owner, g.topic, 'patchme');
  const bad2 = [[{ name: '' }, 'name'], [{ name: null, colour: 'red' }, 'colour'], [{ description: 'd'.repeat(101) }, 'description']];
  for (const [body, field] of bad2) {
    const res = await owner.patch(`/api/rooms/${room}`, body);
    assertError(assert, res, 400, 'validation_failed');
    assert.ok(res.json.error.fields[field], res.text);
  }
  const [r] = await sql('SELECT name, description FROM rooms WHERE id = $1', [room]);
  assert.deepEqual(r, { name: 'patchme', description: '' });
  assert.equal(await count('SELECT count(*) AS n FROM rooms'), before + 1);
  const res = await owner.put(`/api/rooms/${room}`, { name: 'x' });
  assertError(assert, res, 405, 'method_not_allowed');
  assert.equal(res.headers.allow, 'GET, PATCH, DELETE');
});

test('role x action matrix for every endpoint, with exact statuses', async () => {
  const w = await world;
  const actors = ['owner', 'admin', 'moderator', 'member', 'outsider', 'anon'];
  const expect = (table) => Object.fromEntries(actors.map((a, i) => [a, table[i]]));
  const check = async (name, table, fn) => {
    const want = expect(table);
    for (const a of actors) {
      const res = await fn(w[a], a);
      assert.equal(res.status, want[a], `${name} as ${a}: ${res.status} ${res.text}`);
      if (res.status >= 400) {
        const code = { 401: 'not_authenticated', 403: 'forbidden', 404: 'not_found' }[res.status];
        assertError(assert, res, res.status, code);
      }
    }
  };
  const R = w.room.id;
  // Room names are unique within a topic (0037): one name per actor.
  await check('create room', [201, 201, 403, 403, 404, 401],
    (c, a) => c.post(`/api/topics/${w.g.topic}/rooms`, { name: `matrix-${a}` }));
  await check('get room', [200, 200, 200, 200, 404, 401], (c) => c.get(`/api/rooms/${R}`));
  await check('list messages', [200, 200, 200, 200, 404, 401], (c) => c.get(`/api/rooms/${R}/messages`));
  await check('post message', [201, 201, 201, 201, 404, 401],
    (c, a) => c.post(`/api/rooms/${R}/messages`, { text: `hello from ${a}` }));
  await check('mark read', [204, 204, 204, 204, 404, 401],
    (c) => c.post(`/api/rooms/${R}/read`, { last_read_id: 1 }));
  const scratch = await makeRoom(w.owner, w.g.topic, 'scratch');
  await check('patch room', [200, 200, 403, 403, 404, 401],
    (c, a) => c.patch(`/api/rooms/${scratch.id}`, { description: `by ${a}` }));
  const doomed = {};
  for (const a of actors) doomed[a] = (await makeRoom(w.owner, w.g.topic, `doomed-${a}`)).id;
  await check('delete room', [204, 204, 403, 403, 404, 401], (c, a) => c.del(`/api/rooms/${doomed[a]}`));
  for (const a of ['moderator', 'member', 'outsider', 'anon']) {
    assert.equal(await count('SELECT count(*) AS n FROM rooms WHERE id = $1', [doomed[a]]), 1);
  }

  // A message of `member`: only its author edits it ...
  const mine = await post(w.member, R, 'original');
  await check('edit a member\'s message', [403, 403, 403, 200, 404, 401],
    (c, a) => c.patch(`/api/messages/${mine.id}`, { text: `edited by ${a}` }));
  assertError(assert, await w.member2.patch(`/api/messages/${mine.id}`, { text: 'x' }), 403, 'forbidden');
  assert.equal((await sql('SELECT text FROM messages WHERE id = $1', [mine.id]))[0].text, 'edited by member');
  // ... and it, or a moderator+, deletes it.
  const victims = {};
  for (const a of actors) victims[a] = (await post(w.member, R, `victim for ${a}`)).id;
  await check('delete a member\'s message', [204, 204, 204, 204, 404, 401],
    (c, a) => c.del(`/api/messages/${victims[a]}`));
  const other = await post(w.member2, R, 'not yours');
  assertError(assert, await w.member.del(`/api/messages/${other.id}`), 403, 'forbidden');
  const modMsg = await post(w.moderator, R, 'moderator speaking');
  assertError(assert, await w.member.del(`/api/messages/${modMsg.id}`), 403, 'forbidden');
  assert.equal((await w.moderator.del(`/api/messages/${modMsg.id}`)).status, 204);
  assert.equal(await count('SELECT count(*) AS n FROM messages WHERE id = ANY($1) AND deleted_at IS NULL',
    [[victims.outsider, victims.anon, other.id]]), 3);
});

test('messages: the object of the reference, text stored as sent, replies', async () => {
  const { owner, member, g } = await world;
  const room = await makeRoom(owner, g.topic, 'shape');
  let res = await member.post(`/api/rooms/${room.id}/messages`, { text: '  Hi 👋 there \n' });
  assert.equal(res.status, 201, res.text);
  const m = res.json;
  assert.deepEqual(Object.keys(m).sort(),
    ['attachments', 'created_at', 'edited_at', 'id', 'nonce', 'pinned_at', 'pinned_by', 'reactions', 'reply_to', 'room_id', 'rooms', 'sender', 'text']);
  assert.deepEqual([m.reactions, m.pinned_at, m.pinned_by], [[], null, null]);
  assert.equal(m.text, '  Hi 👋 there \n');
  assert.equal(m.room_id, room.id);
  assert.deepEqual(m.sender, { id: member.user.id, username: member.user.username,
    full_name: member.user.profile.full_name, icon_url: member.user.profile.icon_url });
  assert.equal(m.reply_to, null);
  assert.equal(m.edited_at, null);
  assert.equal(m.nonce, null);
  assert.match(m.created_at, TS);
  assert.equal((await sql('SELECT text FROM messages WHERE id = $1', [m.id]))[0].text, '  Hi 👋 there \n');

  res = await owner.post(`/api/rooms/${room.id}/messages`, { text: 'answer', reply_to: m.id, nonce: 'n-reply' });
  assert.equal(res.status, 201, res.text);
  assert.deepEqual(res.json.reply_to, { id: m.id, sender_id: member.user.id, text: m.text, deleted: false });
  assert.equal(res.json.nonce, 'n-reply');
  const [r] = await sql('SELECT last_message_id FROM rooms WHERE id = $1', [room.id]);
  assert.equal(Number(r.last_message_id), res.json.id);

  const big = '😀'.repeat(4000);
  res = await owner.post(`/api/rooms/${room.id}/messages`, { text: ` ${big} ` });
  assert.equal(res.status, 201, '4000 code points (16000 bytes) after trimming is allowed');
  assert.equal(res.json.text, ` ${big} `);

  res = await owner.get(`/api/rooms/${room.id}/messages`);
  assert.equal(res.status, 200);
  assert.equal(res.json.items.length, 3);
  assert.deepEqual(res.json.items[2], m, 'pages carry the same object as the POST answer');
  assert.equal(res.json.has_more, false);
});

test('invalid message input answers 400 and changes nothing', async () => {
  const { owner, g } = await world;
  const room = await makeRoom(owner, g.topic, 'invalid');
  const otherRoom = await makeRoom(owner, g.topic, 'elsewhere');
  const foreign = await post(owner, otherRoom.id, 'in another room');
  const gone = await post(owner, room.id, 'deleted soon');
  assert.equal((await owner.del(`/api/messages/${gone.id}`)).status, 204);
  const ok = await post(owner, room.id, 'fine');
  const snapshot = async () => sql(`SELECT (SELECT count(*) FROM messages) AS n,
      (SELECT last_message_id FROM rooms WHERE id = $1) AS last,
      (SELECT array_agg(text ORDER BY id) FROM messages WHERE room_id = $1) AS texts`, [room.id]);
  const before = await snapshot();
  const url = `/api/rooms/${room.id}/messages`;
  const cases = [
    [{}, 'text'], [{ text: '' }, 'text'], [{ text: ' \n\t\u00a0\u3000' }, 'text'],
    [{ text: 'a\u0000b' }, 'text'], [{ text: 'x'.repeat(4001) }, 'text'], [{ text: '😀'.repeat(4001) }, 'text'],
    [{ text: 5 }, 'text'], [{ text: ['a'] }, 'text'], [{ text: 'ok', reply_to: 'x' }, 'reply_to'],
    [{ text: 'ok', reply_to: 1.5 }, 'reply_to'], [{ text: 'ok', reply_to: 0 }, 'reply_to'],
    [{ text: 'ok', reply_to: foreign.id }, 'reply_to'], [{ text: 'ok', reply_to: gone.id }, 'reply_to'],
    [{ text: 'ok', reply_to: 999999999 }, 'reply_to'], [{ text: 'ok', nonce: '' }, 'nonce'],
    [{ text: 'ok', nonce: 'n'.repeat(65) }, 'nonce'], [{ text: 'ok', nonce: 7 }, 'nonce'],
    [{ text: 'ok', room_id: room.id }, 'room_id'], [{ text: 'ok', sender_id: 1 }, 'sender_id'],
  ];
  for (const [body, field] of cases) {
    const res = await owner.post(url, body);
    assertError(assert, res, 400, 'validation_failed');
    assert.ok(res.json.error.fields && res.json.error.fields[field], `${JSON.stringify(body).slice(0, 60)}: ${res.text}`);
  }
  const hdr = { headers: { 'Content-Type': 'application/json' } };
  for (const body of ['{"text": "x"', '{"text": "x"} {}', '"text"', 'null',
    Buffer.concat([Buffer.from('{"text":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]),
    Buffer.concat([Buffer.from('{"text":"'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}')]),
    Buffer.concat([Buffer.from('{"text":"'), Buffer.from([0xc0, 0xaf]), Buffer.from('"}')])]) {
    const res = await owner.post(url, undefined, { ...hdr, body });
    assert.equal(res.status, 400, `${body}: ${res.text}`);
    assert.ok(res.json.error, res.text);
  }
  assertError(assert, await owner.post(url, undefined, { body: 'text=x', headers: { 'Content-Type': 'text/plain' } }), 415);
  // Edits are checked the same way.
  for (const body of [{}, { text: '   ' }, { text: 'x'.repeat(4001) }, { text: 'ok', nonce: 'x' }, { text: 3 }]) {
    assertError(assert, await owner.patch(`/api/messages/${ok.id}`, body), 400, 'validation_failed');
  }
  assert.deepEqual(await snapshot(), before);
  const [row] = await sql('SELECT text, edited_at FROM messages WHERE id = $1', [ok.id]);
  assert.deepEqual(row, { text: 'fine', edited_at: null });
});

test('edit sets edited_at and is published; deleted messages vanish everywhere', async () => {
  const { owner, member, moderator, g } = await world;
  const room = await makeRoom(owner, g.topic, 'edits');
  const sub = await subscribe(`group:${g.id}`);
  try {
    const m = await post(member, room.id, 'first words');
    const reply = await post(owner, room.id, { text: 'quoting', reply_to: m.id });
    let res = await member.patch(`/api/messages/${m.id}`, { text: ' second words ' });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.text, ' second words ');
    assert.match(res.json.edited_at, TS);
    assert.deepEqual({ ...res.json, text: m.text, edited_at: null }, m);
    const ev = await sub.next((e) => e.data.type === 'message.updated' && e.data.message.id === m.id);
    assert.deepEqual(ev.data, { type: 'message.updated', group_id: g.id, message: res.json });

    // The newest page is cached now (common/hist.c): the delete must invalidate it.
    res = await owner.get(`/api/rooms/${room.id}/messages`);
    assert.equal(res.json.items.find((x) => x.id === reply.id).reply_to.deleted, false);
    res = await moderator.del(`/api/messages/${m.id}`);
    assert.equal(res.status, 204);
    const del = await sub.next((e) => e.data.type === 'message.deleted');
    assert.deepEqual(del.data, { type: 'message.deleted', group_id: g.id, id: m.id, room_id: room.id });
    const [row] = await sql('SELECT text, deleted_at FROM messages WHERE id = $1', [m.id]);
    assert.equal(row.text, '', 'the text is gone from the row itself');
    assert.ok(row.deleted_at);
    res = await owner.get(`/api/rooms/${room.id}/messages`);
    assert.deepEqual(res.json.items.map((x) => x.id), [reply.id], 'deleted messages are left out of pages');
    assert.deepEqual(res.json.items[0].reply_to, { id: m.id, sender_id: member.user.id, text: null, deleted: true });
    res = await owner.get(`/api/rooms/${room.id}/messages?after=0`);
    assert.deepEqual(res.json.items.map((x) => x.id), [reply.id]);
    assert.ok(!JSON.stringify(res.json).includes('words'));
    assertError(assert, await member.patch(`/api/messages/${m.id}`, { text: 'back' }), 404, 'not_found');
    assertError(assert, await member.del(`/api/messages/${m.id}`), 404, 'not_found');
    assertError(assert, await owner.del('/api/messages/999999999'), 404, 'not_found');
    assertError(assert, await owner.patch('/api/messages/999999999', { text: 'x' }), 404, 'not_found');
    // A deleted message is not a valid reply target any more.
    const r2 = await owner.post(`/api/rooms/${room.id}/messages`, { text: 'late', reply_to: m.id });
    assertError(assert, r2, 400, 'validation_failed');
  } finally {
    await sub.close();
  }
});

test('cursor pages over 300 messages: both directions, no gaps, no duplicates', async () => {
  const { owner, member, moderator, outsider, g } = await world;
  const room = await makeRoom(owner, g.topic, 'history');
  const posters = [owner, member, moderator];
  const all = [];
  for (let i = 0; i < 300; i += 30) {
    const batch = await Promise.all(Array.from({ length: 30 },
      (_, j) => post(posters[(i + j) % 3], room.id, `message ${i + j}`)));
    all.push(...batch.map((m) => m.id));
  }
  // One message of another room interleaved must never show up here.
  const other = await makeRoom(owner, g.topic, 'noise');
  await post(owner, other.id, 'noise');
  all.sort((a, b) => a - b);
  const deleted = all.splice(150, 1)[0];
  assert.equal((await owner.del(`/api/messages/${deleted}`)).status, 204);
  const asc = [...all].sort((a, b) => a - b);
  assert.equal(new Set(asc).size, 299);

  for (const limit of [7, 50, 100]) {
    const down = await walk(owner, room.id, 'before', limit);
    assert.deepEqual(down, [...asc].reverse(), `newest first, limit ${limit}`);
    const up = await walk(member, room.id, 'after', limit);
    assert.deepEqual(up, asc, `oldest first, limit ${limit}`);
  }
  // Default limit is 50 and pages are full.
  let res = await owner.get(`/api/rooms/${room.id}/messages`);
  assert.equal(res.json.items.length, 50);
  assert.equal(res.json.has_more, true);
  assert.deepEqual(res.json.items.map((m) => m.id), [...asc].reverse().slice(0, 50));
  // Cursors are exclusive and need not be ids of the room.
  res = await owner.get(`/api/rooms/${room.id}/messages?before=${asc[3]}&limit=10`);
  assert.deepEqual(res.json.items.map((m) => m.id), [asc[2], asc[1], asc[0]]);
  assert.equal(res.json.has_more, false);
  res = await owner.get(`/api/rooms/${room.id}/messages?after=${deleted}&limit=1`);
  assert.deepEqual(res.json.items.map((m) => m.id), [asc[150]]);
  assert.equal(res.json.has_more, true);
  res = await owner.get(`/api/rooms/${room.id}/messages?after=${asc.at(-1)}`);
  assert.deepEqual(res.json, { items: [], has_more: false });
  res = await owner.get(`/api/rooms/${room.id}/messages?before=1`);
  assert.deepEqual(res.json, { items: [], has_more: false });
  res = await owner.get(`/api/rooms/${room.id}/messages?after=${asc.at(-3)}&limit=1`);
  assert.deepEqual(res.json.items.map((m) => m.id), [asc.at(-2)]);
  assert.equal(res.json.has_more, true);

  for (const q of ['limit=0', 'limit=101', 'limit=abc', 'before=0', 'before=-5', 'after=-1', 'after=x',
    `before=${asc[10]}&after=${asc[5]}`, 'before=99999999999999999999']) {
    assertError(assert, await owner.get(`/api/rooms/${room.id}/messages?${q}`), 400, 'validation_failed');
  }
  assertError(assert, await outsider.get(`/api/rooms/${room.id}/messages?after=0`), 404, 'not_found');
  assertError(assert, await owner.get('/api/rooms/999999999/messages'), 404, 'not_found');
});

test('the same nonce 20 times at once: one row, one 201, nineteen 200, one event', async () => {
  const { owner, member, g } = await world;
  const room = await makeRoom(owner, g.topic, 'nonce');
  const sub = await subscribe(`group:${g.id}`);
  try {
    const nonce = `retry-${unique('n')}`;
    const answers = await Promise.all(Array.from({ length: 20 }, () =>
      member.post(`/api/rooms/${room.id}/messages`, { text: 'exactly once', nonce })));
    const statuses = answers.map((a) => a.status).sort();
    assert.equal(statuses.filter((s) => s === 201).length, 1, JSON.stringify(statuses));
    assert.equal(statuses.filter((s) => s === 200).length, 19, JSON.stringify(statuses));
    const first = answers.find((a) => a.status === 201).json;
    for (const a of answers) assert.deepEqual(a.json, first);
    assert.equal(await count('SELECT count(*) AS n FROM messages WHERE nonce = $1', [nonce]), 1);
    assert.equal(await count('SELECT count(*) AS n FROM messages WHERE room_id = $1', [room.id]), 1);

    // A retry with other text (and reply_to) still answers the first message.
    let res = await member.post(`/api/rooms/${room.id}/messages`, { text: 'different', nonce });
    assert.equal(res.status, 200);
    assert.deepEqual(res.json, first);
    // Another user's identical nonce is another message.
    res = await owner.post(`/api/rooms/${room.id}/messages`, { text: 'mine', nonce });
    assert.equal(res.status, 201);
    assert.notEqual(res.json.id, first.id);
    // The sentinel's event comes after every event of the requests above.
    const sentinel = await post(member, room.id, 'sentinel');
    await sub.next((e) => e.data.type === 'message.created' && e.data.message.id === sentinel.id);
    const created = sub.messages.filter((e) => e.data.type === 'message.created' &&
      e.data.message.room_id === room.id).map((e) => e.data.message.id);
    assert.deepEqual(created, [first.id, res.json.id, sentinel.id]);
  } finally {
    await sub.close();
  }
});

test('nonces are kept 24 hours; a deleted message\'s nonce answers 409', async () => {
  const { owner, g } = await world;
  const room = await makeRoom(owner, g.topic, 'nonce-age');
  const nonce = unique('old');
  const old = await post(owner, room.id, { text: 'yesterday', nonce });
  await sql("UPDATE messages SET created_at = now() - interval '25 hours' WHERE id = $1", [old.id]);
  let res = await owner.post(`/api/rooms/${room.id}/messages`, { text: 'today', nonce });
  assert.equal(res.status, 201, res.text);
  assert.notEqual(res.json.id, old.id);
  assert.equal(res.json.nonce, nonce);
  const [row] = await sql('SELECT nonce FROM messages WHERE id = $1', [old.id]);
  assert.equal(row.nonce, null, 'the expired nonce was released');

  const n2 = unique('del');
  const m = await post(owner, room.id, { text: 'regretted', nonce: n2 });
  assert.equal((await owner.del(`/api/messages/${m.id}`)).status, 204);
  const n = await count('SELECT count(*) AS n FROM messages');
  res = await owner.post(`/api/rooms/${room.id}/messages`, { text: 'regretted', nonce: n2 });
  assertError(assert, res, 409, 'conflict');
  assert.ok(!res.text.includes('regretted'));
  assert.equal(await count('SELECT count(*) AS n FROM messages'), n);
  // The nonce is per user and a retry is scoped to its room: the same
  // one in another room answers 409 and shows nothing of the first.
  const elsewhere = await makeRoom(owner, g.topic, 'nonce-b');
  const before = await count('SELECT count(*) AS n FROM messages');
  res = await owner.post(`/api/rooms/${elsewhere.id}/messages`, { text: 'x', nonce });
  assertError(assert, res, 409, 'conflict');
  assert.ok(!res.text.includes('today'));
  assert.equal(await count('SELECT count(*) AS n FROM messages'), before);
  res = await owner.post(`/api/rooms/${room.id}/messages`, { text: 'x', nonce });
  assert.equal(res.status, 200);
  assert.equal(res.json.text, 'today');
});

test('a kicked member retrying an old nonce learns nothing of the private group', async () => {
  const owner = await newUser();
  const kicked = await newUser();
  const priv = await makeGroup(owner, { member: kicked });
  await sql('UPDATE groups SET is_public = false WHERE id = $1', [priv.id]);
  const secretRoom = await makeRoom(owner, priv.topic, 'secret');
  const other = await makeGroup(await newUser(), { member: kicked });
  const [open] = await sql("INSERT INTO rooms (topic_id, group_id, name) VALUES ($1, $2, 'open') RETURNING id",
    [other.topic, other.id]);
  const question = await post(owner, secretRoom.id, 'secret v1');
  const nonce = unique('kick');
  const mine = await post(kicked, secretRoom.id, { text: 'my answer', reply_to: question.id, nonce });
  assert.equal(mine.reply_to.text, 'secret v1');

  // Kicked (as the groups program does it), then the question is edited.
  await sql('DELETE FROM group_members WHERE group_id = $1 AND user_id = $2', [priv.id, kicked.user.id]);
  assert.equal((await owner.patch(`/api/messages/${question.id}`, { text: 'secret v2' })).status, 200);

  const n = await count('SELECT count(*) AS n FROM messages');
  let res = await kicked.post(`/api/rooms/${open.id}/messages`, { text: 'retry', nonce });
  assertError(assert, res, 409, 'conflict');
  assert.ok(!res.text.includes('secret'), res.text);
  res = await kicked.post(`/api/rooms/${secretRoom.id}/messages`, { text: 'retry', nonce });
  assertError(assert, res, 404, 'not_found');
  assert.ok(!res.text.includes('secret'), res.text);
  assert.equal(await count('SELECT count(*) AS n FROM messages'), n);
});

test('concurrent posting from several users: all ids distinct and present', async () => {
  const { owner, admin, moderator, member, member2, g } = await world;
  const room = await makeRoom(owner, g.topic, 'crowd');
  const users = [owner, admin, moderator, member, member2];
  const results = await Promise.all(users.flatMap((u, i) =>
    Array.from({ length: 12 }, (_, j) => u.post(`/api/rooms/${room.id}/messages`, { text: `u${i} m${j}` }))));
  for (const r of results) assert.equal(r.status, 201, r.text);
  const ids = results.map((r) => r.json.id);
  assert.equal(new Set(ids).size, 60);
  const listed = await walk(owner, room.id, 'after', 100);
  assert.deepEqual(listed, [...ids].sort((a, b) => a - b));
  const [r] = await sql('SELECT last_message_id FROM rooms WHERE id = $1', [room.id]);
  assert.equal(Number(r.last_message_id), Math.max(...ids));
  // Each sender's own marker moved to (at least) their last message.
  for (const [i, u] of users.entries()) {
    const mine = results.filter((x) => x.json.sender.id === u.user.id).map((x) => x.json.id);
    assert.equal(mine.length, 12, `user ${i}`);
    const [k] = await sql('SELECT last_read_id FROM read_markers WHERE user_id = $1 AND room_id = $2',
      [u.user.id, room.id]);
    assert.ok(Number(k.last_read_id) >= Math.max(...mine));
  }
});

test('events arrive after commit and carry the committed object', async () => {
  const { owner, member, g } = await world;
  const room = await makeRoom(owner, g.topic, 'events');
  const sub = await subscribe(`group:${g.id}`);
  const seen = [];
  try {
    const pending = sub.next((e) => e.data.type === 'message.created' && e.data.message.room_id === room.id)
      .then(async (ev) => {
        // Runs the moment the event is delivered: the row must be there.
        const rows = await sql('SELECT id, text FROM messages WHERE id = $1', [ev.data.message.id]);
        seen.push(rows);
        return ev;
      });
    const res = await member.post(`/api/rooms/${room.id}/messages`, { text: 'committed?' });
    assert.equal(res.status, 201);
    const ev = await pending;
    assert.deepEqual(ev.data, { type: 'message.created', group_id: g.id, message: res.json });
    assert.equal(seen[0].length, 1);
    assert.equal(seen[0][0].text, 'committed?');
    assert.equal(Number(seen[0][0].id), res.json.id);
    assert.equal(ev.channel, `group:${g.id}`);

    // Failed requests publish nothing.
    const before = sub.messages.length;
    await member.post(`/api/rooms/${room.id}/messages`, { text: '' });
    await member.post(`/api/rooms/${room.id}/messages`, { text: 'x', reply_to: 999999999 });
    await member.patch(`/api/messages/${res.json.id}`, { text: '' });
    await owner.patch(`/api/messages/${res.json.id}`, { text: 'not mine' });
    await member.del(`/api/rooms/${room.id}`);
    const s = await post(member, room.id, 'sentinel');
    await sub.next((e) => e.data.type === 'message.created' && e.data.message.id === s.id);
    assert.deepEqual(sub.messages.slice(before).map((e) => e.data.type), ['message.created']);
  } finally {
    await sub.close();
  }
});

test('unread counts and read markers: forward only, clamped, own messages read', async () => {
  const { owner, member, member2, outsider, g } = await world;
  const room = await makeRoom(owner, g.topic, 'unread');
  const url = `/api/rooms/${room.id}`;
  const state = async (c) => {
    const res = await c.get(url);
    assert.equal(res.status, 200, res.text);
    return [res.json.unread_count, res.json.last_read_id];
  };
  const a = await post(owner, room.id, 'one');
  const b = await post(owner, room.id, 'two');
  const c = await post(owner, room.id, 'three');
  assert.deepEqual(await state(owner), [0, c.id], 'own messages move the sender\'s marker');
  assert.deepEqual(await state(member), [3, 0], 'no marker yet: everything is unread');
  assert.equal((await member.post(`${url}/read`, { last_read_id: b.id })).status, 204);
  assert.deepEqual(await state(member), [1, b.id]);
  assert.equal((await member.post(`${url}/read`, { last_read_id: a.id })).status, 204);
  assert.deepEqual(await state(member), [1, b.id], 'markers never move back');
  assert.equal((await member.post(`${url}/read`, { last_read_id: 10 ** 15 })).status, 204);
  assert.deepEqual(await state(member), [0, c.id], 'clamped to the room\'s last message');
  const d = await post(member, room.id, 'mine');
  assert.deepEqual(await state(member), [0, d.id]);
  const e = await post(owner, room.id, 'four');
  assert.deepEqual(await state(member), [1, d.id]);
  assert.deepEqual(await state(member2), [5, 0]);
  assert.equal((await owner.del(`/api/messages/${e.id}`)).status, 204);
  assert.deepEqual(await state(member), [0, d.id], 'deleted messages are not unread');
  assert.deepEqual(await state(member2), [4, 0]);

  for (const body of [{}, { last_read_id: -1 }, { last_read_id: 'x' }, { last_read_id: 1.5 },
    { last_read_id: 1, room_id: 2 }]) {
    assertError(assert, await member.post(`${url}/read`, body), 400, 'validation_failed');
  }
  assert.deepEqual(await state(member), [0, d.id]);
  assertError(assert, await outsider.post(`${url}/read`, { last_read_id: 1 }), 404, 'not_found');
  assertError(assert, await member.post('/api/rooms/999999999/read', { last_read_id: 1 }), 404, 'not_found');
  assert.equal(await count('SELECT count(*) AS n FROM read_markers WHERE user_id = $1', [outsider.user.id]), 0);
});

test('bearer clients work and cookie clients need a good Origin', async () => {
  const { member, room } = await world;
  const bearer = new Client({ origin: null });
  bearer.user = member.user;
  bearer.password = member.password;
  await bearer.useBearer();
  let res = await bearer.post(`/api/rooms/${room.id}/messages`, { text: 'via bearer' });
  assert.equal(res.status, 201, res.text);
  const n = await count('SELECT count(*) AS n FROM messages');
  res = await member.post(`/api/rooms/${room.id}/messages`, { text: 'forged' },
    { headers: { Origin: 'http://evil.example' } });
  assertError(assert, res, 403, 'csrf');
  assert.equal(await count('SELECT count(*) AS n FROM messages'), n);
  res = await raw(`/api/rooms/${room.id}/messages`, { method: 'POST', json: { text: 'anon' },
    headers: { Origin: env.origin } });
  assertError(assert, res, 401, 'not_authenticated');
});

test('with the groups program: markers start at join, unread agrees with group detail', async () => {
  const owner = await newUser();
  const joiner = await newUser();
  let res = await owner.post('/api/groups', { name: unique('Rooms') });
  assert.equal(res.status, 201, res.text);
  const gid = res.json.id;
  const general = res.json.topics.find((t) => t.name === 'General');
  const home = general.rooms.find((r) => r.name === 'home');
  res = await owner.get(`/api/rooms/${home.id}`);
  assert.equal(res.status, 200);
  assert.equal(res.json.group_id, gid);
  assert.equal(res.json.topic_id, general.id);
  const m1 = await post(owner, home.id, 'before you came');
  const m2 = await post(owner, home.id, 'also before');
  assertError(assert, await joiner.get(`/api/rooms/${home.id}`), 404, 'not_found');
  res = await joiner.post(`/api/groups/${gid}/join`);
  assert.equal(res.status, 200, res.text);
  res = await joiner.get(`/api/rooms/${home.id}`);
  assert.equal(res.json.unread_count, 0, 'history before joining is not unread');
  assert.equal(res.json.last_read_id, m2.id);
  const m3 = await post(owner, home.id, 'welcome');
  res = await joiner.get(`/api/rooms/${home.id}`);
  assert.equal(res.json.unread_count, 1);
  const detail = await joiner.get(`/api/groups/${gid}`);
  assert.equal(detail.status, 200);
  const inDetail = detail.json.topics.flatMap((t) => t.rooms).find((r) => r.id === home.id);
  assert.equal(inDetail.unread_count, 1);
  assert.equal(inDetail.last_message_id, m3.id);
  res = await joiner.get(`/api/rooms/${home.id}/messages`);
  assert.deepEqual(res.json.items.map((m) => m.id), [m3.id, m2.id, m1.id]);
  assert.equal((await joiner.post(`/api/rooms/${home.id}/read`, { last_read_id: m3.id })).status, 204);
  res = await joiner.get(`/api/rooms/${home.id}`);
  assert.equal(res.json.unread_count, 0);
  // A member may not delete the owner's message; promoted to moderator, may.
  assertError(assert, await joiner.del(`/api/messages/${m1.id}`), 403, 'forbidden');
  res = await owner.patch(`/api/groups/${gid}/members/${joiner.user.id}`, { role: 'moderator' });
  assert.equal(res.status, 200, res.text);
  assert.equal((await joiner.del(`/api/messages/${m1.id}`)).status, 204);
  // Rooms made here show up in the group's detail.
  const lobby = await makeRoom(owner, general.id, 'lobby');
  res = await owner.get(`/api/groups/${gid}`);
  assert.ok(res.json.topics.flatMap((t) => t.rooms).some((r) => r.id === lobby.id));
});
