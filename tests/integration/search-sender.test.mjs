// search-sender.test.mjs - message search finds a sender's username or
// display name typed as plain text (issue 12; the original app did), once
// each, after the messages whose words match, and only in one's groups.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { newUser, unique } from '../lib/api.mjs';
import pg from 'pg';
import { closeDb, dbConfig } from '../lib/db.mjs';

after(closeDb);

function word(n = 10) {
  const letters = 'bcdfghjklmnpqrstvwxz';
  const vowels = 'aeiou';
  let w = '';
  for (let i = 0; i < n; i++) w += i % 2 ? vowels[randomInt(5)] : letters[randomInt(20)];
  return w;
}

async function post(c, room, text) {
  const res = await c.post(`/api/rooms/${room}/messages`, { text });
  assert.equal(res.status, 201, res.text);
  return res.json;
}

const search = async (c, params) => {
  const res = await c.get(`/api/search/messages?${new URLSearchParams(params)}`);
  assert.equal(res.status, 200, res.text);
  return res.json.items.map((m) => m.id);
};

test('a username or display name as plain words finds that sender', async () => {
  const owner = await newUser();
  const surname = word(9);
  const sender = await newUser();
  assert.equal((await sender.patch('/api/users/me', { full_name: `Ada ${surname}` })).status, 200);
  const g = await owner.post('/api/groups', { name: unique('srch'), is_public: true });
  const room = g.json.topics[0].rooms[0].id;
  assert.equal((await sender.post(`/api/groups/${g.json.id}/join`)).status, 200);
  const m1 = await post(sender, room, `hello there ${word(8)}`);
  const m2 = await post(sender, room, 'another plain message');
  const other = await post(owner, room, `I told ${sender.user.username} about it`);

  // By username, any case: the message that has the name as a word
  // comes first (word tiers), then the sender's own, each once.
  let ids = await search(owner, { q: sender.user.username.toUpperCase() });
  assert.deepEqual(ids, [other.id, m2.id, m1.id]);
  // Each hit names its room and group, for the result list (defect 11).
  const hit = (await owner.get(`/api/search/messages?${new URLSearchParams({ q: sender.user.username })}`)).json.items[0];
  assert.equal(hit.room_name, g.json.topics[0].rooms[0].name);
  assert.equal(hit.group_id, g.json.id);
  assert.equal(hit.group_name, g.json.name);
  // By display name.
  ids = await search(owner, { q: `ada ${surname.toUpperCase()}` });
  assert.deepEqual(ids, [m2.id, m1.id]);
  // With operators too, and paged without repeats.
  ids = await search(owner, { q: `${sender.user.username} in:home` });
  assert.deepEqual(ids, [other.id, m2.id, m1.id]);
  const p1 = await search(owner, { q: sender.user.username, limit: 2 });
  const p2 = await search(owner, { q: sender.user.username, limit: 2, offset: 2 });
  assert.deepEqual([...p1, ...p2], [other.id, m2.id, m1.id]);
  // from: is not widened by the words.
  ids = await search(owner, { q: `from:${owner.user.username} ${sender.user.username}` });
  assert.deepEqual(ids, [other.id]);
  // Someone outside the group finds nothing.
  const outsider = await newUser();
  assert.deepEqual(await search(outsider, { q: sender.user.username }), []);
});

test('a display name that two users share names neither', async () => {
  const owner = await newUser();
  const name = `Twin ${word(9)}`;
  const a = await newUser();
  const b = await newUser();
  await a.patch('/api/users/me', { full_name: name });
  await b.patch('/api/users/me', { full_name: name });
  const g = await owner.post('/api/groups', { name: unique('twin'), is_public: true });
  const room = g.json.topics[0].rooms[0].id;
  await a.post(`/api/groups/${g.json.id}/join`);
  await post(a, room, 'from the first twin');
  assert.deepEqual(await search(owner, { q: name }), []);
});

test('the sender lookup asks two indexes, never scans every user', async () => {
  // It ran on every search with words; written as one OR over users JOIN
  // profiles it scanned all users (~17 ms over 10 k, 2026-12-06 bench).
  // With sequential scans priced out, a plan that still has one has no
  // index to use.  The display name must find its user through the
  // index too: set one and look it up.
  const u = await newUser();
  const name = `Index ${word(9)}`;
  await u.patch('/api/users/me', { full_name: name });
  const c = new pg.Client(dbConfig());
  await c.connect();
  try {
    await c.query('SET enable_seqscan = off');
    const q = name.toUpperCase();
    const plan = (await c.query(`EXPLAIN (COSTS OFF) SELECT * FROM ec_search_sender($1)`, [q]))
      .rows.map((r) => r['QUERY PLAN']).join('\n');
    assert.doesNotMatch(plan, /Seq Scan/, plan);
    assert.match(plan, /users_username_lower/, plan);
    assert.match(plan, /profiles_full_name_lower/, plan);
    const rows = (await c.query('SELECT * FROM ec_search_sender($1)', [q])).rows;
    assert.deepEqual(rows.map((r) => [Number(r.id), r.by_username]), [[u.user.id, false]]);
  } finally {
    await c.end();
  }
});
