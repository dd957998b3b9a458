// reactions.test.mjs - reactions and pins of messages (issue 13 items 3
// and 4) against the real stack: idempotent PUT/DELETE, counts and the
// caller's own "me" over the shared (cached) history page, who reacted,
// events after commit, the history cache invalidated by each change, role
// rules, bad input that changes nothing, and outsiders who see nothing.
// Also: search finds a word written with Markdown markers (item 1).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { newUser, unique, assertError } from '../lib/api.mjs';
import { sql, subscribe, closeDb } from '../lib/db.mjs';

after(closeDb);

// The spellings the server stores (the picker's dataset): thumbs up has
// a U+FE0F there, which keyboards often leave out.
const THUMBS = '👍\uFE0F';
const PARTY = '🎉';
const e = (emoji) => encodeURIComponent(emoji);

async function world() {
  const owner = await newUser();
  const member = await newUser();
  const moderator = await newUser();
  const outsider = await newUser();
  const res = await owner.post('/api/groups', { name: unique('react'), is_public: true });
  assert.equal(res.status, 201, res.text);
  const g = res.json.id;
  const room = res.json.topics[0].rooms[0].id;
  for (const c of [member, moderator]) assert.equal((await c.post(`/api/groups/${g}/join`)).status, 200);
  const r = await owner.patch(`/api/groups/${g}/members/${moderator.user.id}`, { role: 'moderator' });
  assert.equal(r.status, 200, r.text);
  return { owner, member, moderator, outsider, g, room };
}

async function post(c, room, text) {
  const res = await c.post(`/api/rooms/${room}/messages`, { text });
  assert.equal(res.status, 201, res.text);
  return res.json;
}

async function newest(c, room) {
  const res = await c.get(`/api/rooms/${room}/messages`);
  assert.equal(res.status, 200, res.text);
  return res.json;
}

const find = (page, id) => page.items.find((m) => m.id === id);

test('reacting is idempotent, counted, published once, and "me" is per caller over the cached page', async () => {
  const { owner, member, g, room } = await world();
  const m = await post(owner, room, 'react to me');
  assert.deepEqual(m.reactions, []);
  assert.equal(m.pinned_at, null);
  // Cache the page first: every change below must show through it.
  assert.deepEqual(find(await newest(member, room), m.id).reactions, []);
  const sub = await subscribe(`group:${g}`);
  try {
    let res = await member.put(`/api/messages/${m.id}/reactions/${e(THUMBS)}/me`);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json, { message_id: m.id, room_id: room, emoji: THUMBS, user_id: member.user.id, count: 1, me: true });
    const ev = await sub.next((x) => x.data.type === 'reaction.added');
    assert.deepEqual(ev.data, { type: 'reaction.added', group_id: g,
      reaction: { message_id: m.id, room_id: room, emoji: THUMBS, user_id: member.user.id, count: 1 } });
    // The same PUT again (spelled without U+FE0F, as keyboards do): same
    // answer, nothing new published.
    res = await member.put(`/api/messages/${m.id}/reactions/${e('👍')}/me`);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.count, 1);
    res = await owner.put(`/api/messages/${m.id}/reactions/${e(THUMBS)}/me`);
    assert.equal(res.json.count, 2);
    res = await owner.put(`/api/messages/${m.id}/reactions/${e(PARTY)}/me`);
    assert.equal(res.json.count, 1);
    await sub.next((x) => x.data.type === 'reaction.added' && x.data.reaction.emoji === PARTY);
    assert.equal(sub.messages.filter((x) => x.data.type === 'reaction.added').length, 3, 'the repeated PUT published nothing');

    // The page (served from the cache to the second reader) shows the
    // counts to everyone and "me" to each caller.
    assert.deepEqual(find(await newest(member, room), m.id).reactions,
      [{ emoji: THUMBS, count: 2, me: true }, { emoji: PARTY, count: 1, me: false }]);
    assert.deepEqual(find(await newest(owner, room), m.id).reactions,
      [{ emoji: THUMBS, count: 2, me: true }, { emoji: PARTY, count: 1, me: true }]);
    assert.deepEqual(find(await newest(member, room), m.id).reactions,
      [{ emoji: THUMBS, count: 2, me: true }, { emoji: PARTY, count: 1, me: false }]);
    // Older pages (after=) carry the same.
    res = await member.get(`/api/rooms/${room}/messages?after=0`);
    assert.deepEqual(find(res.json, m.id).reactions, [{ emoji: THUMBS, count: 2, me: true }, { emoji: PARTY, count: 1, me: false }]);

    // Unreact: the cached page follows; DELETE again changes nothing.
    res = await member.del(`/api/messages/${m.id}/reactions/${e(THUMBS)}/me`);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json, { message_id: m.id, room_id: room, emoji: THUMBS, user_id: member.user.id, count: 1, me: false });
    await sub.next((x) => x.data.type === 'reaction.removed' && x.data.reaction.user_id === member.user.id);
    res = await member.del(`/api/messages/${m.id}/reactions/${e(THUMBS)}/me`);
    assert.equal(res.status, 200);
    assert.equal(sub.messages.filter((x) => x.data.type === 'reaction.removed').length, 1);
    assert.deepEqual(find(await newest(member, room), m.id).reactions,
      [{ emoji: THUMBS, count: 1, me: false }, { emoji: PARTY, count: 1, me: false }]);
    await owner.del(`/api/messages/${m.id}/reactions/${e(PARTY)}/me`);
    assert.deepEqual(find(await newest(member, room), m.id).reactions, [{ emoji: THUMBS, count: 1, me: false }]);
  } finally {
    await sub.close();
  }
});

test('who reacted is paged, first first', async () => {
  const { owner, member, moderator, room } = await world();
  const m = await post(owner, room, 'who?');
  for (const c of [member, owner, moderator]) {
    assert.equal((await c.put(`/api/messages/${m.id}/reactions/${e(THUMBS)}/me`)).status, 200);
  }
  let res = await member.get(`/api/messages/${m.id}/reactions/${e(THUMBS)}?limit=2`);
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json.has_more, true);
  assert.deepEqual(res.json.items.map((x) => x.user.id), [member.user.id, owner.user.id]);
  assert.equal(res.json.items[0].user.username, member.user.username);
  assert.match(res.json.items[0].created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  res = await member.get(`/api/messages/${m.id}/reactions/${e(THUMBS)}?limit=2&offset=2`);
  assert.deepEqual(res.json, { items: [res.json.items[0]], has_more: false });
  assert.equal(res.json.items[0].user.id, moderator.user.id);
  res = await member.get(`/api/messages/${m.id}/reactions/${e(PARTY)}`);
  assert.deepEqual(res.json, { items: [], has_more: false });
  assertError(assert, await member.get(`/api/messages/${m.id}/reactions/${e(THUMBS)}?limit=0`), 400, 'validation_failed');
});

test('bad emoji and too many different ones are refused and change nothing', async () => {
  const { owner, member, room } = await world();
  const m = await post(owner, room, 'limits');
  for (const bad of ['abc', THUMBS + THUMBS, 'x' + THUMBS, '%FF%FE', '\uFE0F', ' ', '<script>', '🏻']) {
    const res = await member.put(`/api/messages/${m.id}/reactions/${bad.startsWith('%') ? bad : e(bad)}/me`);
    assert.ok([400, 404].includes(res.status), `${bad}: ${res.status}`);
    assertError(assert, res, res.status);
    if (res.status === 400) assert.ok(res.json.error.fields.emoji, res.text);
  }
  // A malformed body is refused before anything happens.
  const badJson = await member.req('PUT', `/api/messages/${m.id}/reactions/${e(THUMBS)}/me`, undefined,
    { body: '{"not json', headers: { 'Content-Type': 'application/json' } });
  assertError(assert, badJson, 400, 'bad_json');
  const badPin = await owner.req('PUT', `/api/messages/${m.id}/pin`, undefined,
    { body: '[1,', headers: { 'Content-Type': 'application/json' } });
  assertError(assert, badPin, 400, 'bad_json');
  const [none] = await sql('SELECT reactions, pinned_at FROM messages WHERE id = $1', [m.id]);
  assert.deepEqual(none, { reactions: null, pinned_at: null });
  // A skin tone variant and a ZWJ sequence are single emoji.
  for (const ok of ['👍🏽', '❤️', '👩‍💻', '🏳️‍🌈']) {
    const res = await member.put(`/api/messages/${m.id}/reactions/${e(ok)}/me`);
    assert.equal(res.status, 200, `${ok}: ${res.text}`);
    assert.equal(res.json.emoji, ok);
  }
  // With or without U+FE0F, one emoji is one reaction, stored in the
  // dataset's spelling.
  let res = await owner.put(`/api/messages/${m.id}/reactions/${e('👍🏽\uFE0F')}/me`);
  assert.equal(res.status, 200, res.text);
  assert.deepEqual([res.json.emoji, res.json.count], ['👍🏽', 2]);
  res = await owner.put(`/api/messages/${m.id}/reactions/${e('❤')}/me`);
  assert.deepEqual([res.status, res.json.emoji, res.json.count], [200, '❤️', 2]);
  res = await owner.del(`/api/messages/${m.id}/reactions/${e('❤')}/me`);
  assert.deepEqual([res.status, res.json.emoji, res.json.count], [200, '❤️', 1]);
  const emoji = ['😀', '😃', '😄', '😁', '😆', '😅', '🤣', '😂', '🙂', '🙃', '😉', '😊', '😇', '🥰', '😍', '🤩'];
  res = await member.get(`/api/rooms/${room}/messages`);
  assert.deepEqual(find(res.json, m.id).reactions.map((r) => r.emoji), ['👍🏽', '❤️', '👩‍💻', '🏳️‍🌈']);
  for (const x of emoji) assert.equal((await owner.put(`/api/messages/${m.id}/reactions/${e(x)}/me`)).status, 200, x);
  // 20 different now: a 21st is refused, an existing one still counts.
  assertError(assert, await member.put(`/api/messages/${m.id}/reactions/${e('😘')}/me`), 409, 'conflict');
  assert.equal((await member.put(`/api/messages/${m.id}/reactions/${e('😀')}/me`)).json.count, 2);
  const [row] = await sql('SELECT jsonb_array_length(reactions) AS n FROM messages WHERE id = $1', [m.id]);
  assert.equal(row.n, 20);
  const [{ n }] = await sql('SELECT count(*)::int AS n FROM message_reactions WHERE message_id = $1 AND emoji = $2', [m.id, '😘']);
  assert.equal(n, 0);
  // Unknown messages are 404.
  assertError(assert, await member.put(`/api/messages/999999999/reactions/${e(THUMBS)}/me`), 404, 'not_found');
});

test('outsiders get 404 and see nothing; deleted messages take no reactions', async () => {
  const { owner, outsider, room } = await world();
  const m = await post(owner, room, 'private reactions');
  assert.equal((await owner.put(`/api/messages/${m.id}/reactions/${e(THUMBS)}/me`)).status, 200);
  for (const res of [
    await outsider.put(`/api/messages/${m.id}/reactions/${e(THUMBS)}/me`),
    await outsider.del(`/api/messages/${m.id}/reactions/${e(THUMBS)}/me`),
    await outsider.get(`/api/messages/${m.id}/reactions/${e(THUMBS)}`),
    await outsider.put(`/api/messages/${m.id}/pin`),
    await outsider.get(`/api/rooms/${room}/pins`),
  ]) {
    assertError(assert, res, 404, 'not_found');
    assert.ok(!res.text.includes(owner.user.username));
  }
  const [{ n }] = await sql('SELECT count(*)::int AS n FROM message_reactions WHERE message_id = $1', [m.id]);
  assert.equal(n, 1);
  assert.equal((await owner.del(`/api/messages/${m.id}`)).status, 204);
  assertError(assert, await owner.put(`/api/messages/${m.id}/reactions/${e(PARTY)}/me`), 404, 'not_found');
  const anon = await fetch(new URL(`/api/rooms/${room}/pins`, process.env.BASE_URL));
  assert.equal(anon.status, 401);
});

test('moderators pin and unpin; members may not; the room lists its pins; the cached page follows', async () => {
  const { owner, member, moderator, g, room } = await world();
  const m1 = await post(member, room, 'pin me');
  const m2 = await post(member, room, 'and me');
  await newest(member, room); // cached
  const sub = await subscribe(`group:${g}`);
  try {
    assertError(assert, await member.put(`/api/messages/${m1.id}/pin`), 403, 'forbidden');
    let res = await moderator.put(`/api/messages/${m1.id}/pin`);
    assert.equal(res.status, 200, res.text);
    assert.match(res.json.pinned_at, /Z$/);
    assert.equal(res.json.pinned_by, moderator.user.id);
    const ev = await sub.next((x) => x.data.type === 'message.pinned');
    assert.deepEqual(ev.data, { type: 'message.pinned', group_id: g, message: res.json });
    assert.equal(find(await newest(member, room), m1.id).pinned_at, res.json.pinned_at, 'pin shows in the cached page');
    // Again: the same message, nothing published.
    const again = await owner.put(`/api/messages/${m1.id}/pin`);
    assert.equal(again.status, 200);
    assert.equal(again.json.pinned_at, res.json.pinned_at);
    assert.equal((await owner.put(`/api/messages/${m2.id}/pin`)).status, 200);
    res = await member.get(`/api/rooms/${room}/pins`);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json.items.map((x) => x.id), [m2.id, m1.id]);
    assert.equal(res.json.has_more, false);
    res = await member.get(`/api/rooms/${room}/pins?limit=1`);
    assert.deepEqual([res.json.items.map((x) => x.id), res.json.has_more], [[m2.id], true]);
    assertError(assert, await member.del(`/api/messages/${m1.id}/pin`), 403, 'forbidden');
    res = await moderator.del(`/api/messages/${m1.id}/pin`);
    assert.equal(res.status, 200);
    assert.equal(res.json.pinned_at, null);
    await sub.next((x) => x.data.type === 'message.unpinned' && x.data.message.id === m1.id);
    assert.equal(find(await newest(member, room), m1.id).pinned_at, null, 'unpin shows in the cached page');
    assert.equal((await moderator.del(`/api/messages/${m1.id}/pin`)).status, 200);
    assert.equal(sub.messages.filter((x) => x.data.type === 'message.unpinned').length, 1);
    assert.equal(sub.messages.filter((x) => x.data.type === 'message.pinned').length, 2);
    // A deleted message leaves the list.
    assert.equal((await member.del(`/api/messages/${m2.id}`)).status, 204);
    res = await member.get(`/api/rooms/${room}/pins`);
    assert.deepEqual(res.json, { items: [], has_more: false });
    assertError(assert, await member.get(`/api/rooms/${room}/pins?offset=-1`), 400, 'validation_failed');
  } finally {
    await sub.close();
  }
});

test('search finds a word written with Markdown markers', async () => {
  const { owner, g } = await world();
  const word = `mdword${Date.now().toString(36)}`;
  await post(owner, (await owner.get(`/api/groups/${g}`)).json.topics[0].rooms[0].id,
    `**${word}** and _${word}x_ and ~~${word}y~~ and ||${word}z|| and \`${word}c\``);
  for (const w of [word, `${word}x`, `${word}y`, `${word}z`, `${word}c`]) {
    const res = await owner.get(`/api/search/messages?q=${encodeURIComponent(w)}&group_id=${g}`);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.items.length, 1, `${w}: ${res.text}`);
  }
});
