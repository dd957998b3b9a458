// search.test.mjs - GET /api/search/groups and /api/search/messages:
// typo tolerance, partial words, ranking, access control (also through
// operators), HTML-safe snippets, deleted messages, filters.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { newUser, unique, assertError, raw } from '../lib/api.mjs';
import { closeDb, sql } from '../lib/db.mjs';

after(closeDb);

/** A made-up word of `n` letters nobody else uses. */
function word(n = 10) {
  const letters = 'bcdfghjklmnpqrstvwxz';
  const vowels = 'aeiou';
  let w = '';
  for (let i = 0; i < n; i++) w += i % 2 ? vowels[randomInt(5)] : letters[randomInt(20)];
  return w;
}
/** The word with two neighbouring letters in the middle swapped. */
function swapTypo(w) {
  const i = Math.floor(w.length / 2);
  return w.slice(0, i) + w[i + 1] + w[i] + w.slice(i + 2);
}
/** The word with one letter replaced. */
function substTypo(w) {
  const i = Math.floor(w.length / 2);
  return w.slice(0, i) + (w[i] === 'x' ? 'y' : 'x') + w.slice(i + 1);
}

async function makeGroup(owner, body) {
  const res = await owner.post('/api/groups', { name: unique('grp'), ...body });
  assert.equal(res.status, 201, res.text);
  const room = res.json.topics[0].rooms[0];
  return { id: res.json.id, name: res.json.name, room: room.id, roomName: room.name };
}

async function post(c, room, text) {
  const res = await c.post(`/api/rooms/${room}/messages`, { text });
  assert.equal(res.status, 201, res.text);
  return res.json;
}

const q = (params) => new URLSearchParams(params).toString();

test('groups: one typo finds a public group by name or description; private never', async () => {
  const c = await newUser();
  const w1 = word(10);
  const w2 = word(11);
  const byName = await makeGroup(c, { name: `${w1} club`, is_public: true });
  const byDesc = await makeGroup(c, { description: `we talk about ${w2} every day`, is_public: true });
  const hidden = await makeGroup(c, { name: `${w1} secret`, description: w2, is_public: false });
  for (const [term, id] of [[swapTypo(w1), byName.id], [substTypo(w1), byName.id],
    [swapTypo(w2), byDesc.id], [w2.slice(0, 6), byDesc.id], [w1.toUpperCase(), byName.id]]) {
    const res = await c.get(`/api/search/groups?${q({ q: term })}`);
    assert.equal(res.status, 200, res.text);
    const ids = res.json.items.map((g) => g.id);
    assert.ok(ids.includes(id), `${term}: ${res.text}`);
    assert.ok(!ids.includes(hidden.id), 'a private group is never found');
    assert.equal(typeof res.json.has_more, 'boolean');
  }
  const res = await raw(`/api/search/groups?${q({ q: w1 })}`);
  assert.equal(res.status, 200, 'anonymous callers may search public groups');
  const item = res.json.items.find((g) => g.id === byName.id);
  assert.deepEqual(Object.keys(item).sort(), ['category', 'description', 'icon_url', 'id',
    'member_count', 'name', 'online_count', 'wallpaper_url']);
  assert.equal(item.member_count, 1);
  assert.equal(item.online_count, 0);
});

test('groups: an exact name match is ranked first', async () => {
  const c = await newUser();
  const w = word(9);
  const others = [];
  others.push(await makeGroup(c, { name: `${w} fans`, description: `all about ${w} ${w}` }));
  others.push(await makeGroup(c, { name: `the ${w}s`, description: w }));
  const exact = await makeGroup(c, { name: w });
  others.push(await makeGroup(c, { name: `${w}ish` }));
  const res = await c.get(`/api/search/groups?${q({ q: w })}`);
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json.items[0].id, exact.id, res.text);
  assert.equal(res.json.items.length, 4);
  // Limits.
  const page = await c.get(`/api/search/groups?${q({ q: w, limit: 2 })}`);
  assert.equal(page.json.items.length, 2);
  assert.equal(page.json.has_more, true);
  assertError(assert, await c.get(`/api/search/groups?${q({ q: w, limit: 0 })}`), 400);
  assertError(assert, await c.get('/api/search/groups'), 400);
  assertError(assert, await c.get('/api/search/groups?q=%20'), 400);
});

test('messages: typos and partial words, exact matches first, snippet marked and HTML-safe', async () => {
  const c = await newUser();
  const g = await makeGroup(c, { is_public: false });
  const w = word(10);
  const typo = await post(c, g.room, `a message with ${substTypo(w)} in it`);
  const exact = await post(c, g.room, `<script>alert('x')</script> the ${w} meeting & more`);
  const prefix = await post(c, g.room, `longer: ${w}ization`);
  await post(c, g.room, 'unrelated chatter');

  let res = await c.get(`/api/search/messages?${q({ q: w })}`);
  assert.equal(res.status, 200, res.text);
  assert.deepEqual(res.json.items.map((m) => m.id), [exact.id, prefix.id, typo.id], res.text);
  const first = res.json.items[0];
  assert.equal(first.text, exact.text);
  assert.deepEqual(first.sender, exact.sender);
  assert.equal(first.room_id, g.room);
  assert.equal(first.snippet,
    `&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; the <mark>${w}</mark> meeting &amp; more`);
  assert.ok(!/<(?!\/?mark>)/.test(res.json.items.map((m) => m.snippet).join('')), 'only <mark> tags');
  assert.equal(res.json.has_more, false);

  // One typo in the query (swap or substitution) still finds the exact message.
  for (const t of [swapTypo(w), substTypo(w)]) {
    res = await c.get(`/api/search/messages?${q({ q: t })}`);
    assert.ok(res.json.items.some((m) => m.id === exact.id), `${t}: ${res.text}`);
  }
  // A partial word.
  res = await c.get(`/api/search/messages?${q({ q: w.slice(0, 7) })}`);
  assert.ok(res.json.items.some((m) => m.id === prefix.id), res.text);
  assert.match(res.json.items.find((m) => m.id === prefix.id).snippet, /<mark>\w+<\/mark>/);
  // Paging.
  res = await c.get(`/api/search/messages?${q({ q: w, limit: 2 })}`);
  assert.deepEqual(res.json.items.map((m) => m.id), [exact.id, prefix.id]);
  assert.equal(res.json.has_more, true);
  res = await c.get(`/api/search/messages?${q({ q: w, limit: 2, offset: 2 })}`);
  assert.deepEqual(res.json.items.map((m) => m.id), [typo.id]);
  assert.equal(res.json.has_more, false);
});

test('messages: only groups the caller belongs to, also through operators and filters', async () => {
  const alice = await newUser();
  const bob = await newUser();
  const w = word(10);
  const mine = await makeGroup(alice, { is_public: true });
  const theirs = await makeGroup(bob, { is_public: false });
  const pub = await makeGroup(bob, { is_public: true });
  const m1 = await post(alice, mine.room, `mine ${w}`);
  const secret = await post(bob, theirs.room, `secret ${w}`);
  const later = await post(bob, pub.room, `public but not joined ${w}`);
  const search = async (params) => {
    const res = await alice.get(`/api/search/messages?${q(params)}`);
    assert.equal(res.status, 200, res.text);
    return res.json.items.map((m) => m.id);
  };
  assert.deepEqual(await search({ q: w }), [m1.id]);
  assert.deepEqual(await search({ q: `in:${theirs.roomName} ${w}` }), [m1.id]);
  assert.deepEqual(await search({ q: `from:${bob.user.username} ${w}` }), []);
  assert.deepEqual(await search({ q: `from:${bob.user.username}` }), []);
  assert.deepEqual(await search({ q: w, group_id: theirs.id }), []);
  assert.deepEqual(await search({ q: w, room_id: theirs.room }), []);
  assert.deepEqual(await search({ q: swapTypo(w) }), [m1.id]);
  // Joining the public group makes its messages searchable.
  assert.equal((await alice.post(`/api/groups/${pub.id}/join`)).status, 200);
  assert.deepEqual(await search({ q: w }), [later.id, m1.id]);
  assert.deepEqual(await search({ q: `from:${bob.user.username} ${w}` }), [later.id]);
  assert.deepEqual(await search({ q: w, from: bob.user.username }), [later.id]);
  assert.deepEqual(await search({ q: w, group_id: mine.id }), [m1.id]);
  assert.deepEqual(await search({ q: w, room_id: pub.room }), [later.id]);
  assert.ok(!(await search({ q: w })).includes(secret.id));
  // Dates (UTC days): everything is from today.
  const day = (d) => new Date(Date.now() + d * 86400000).toISOString().slice(0, 10);
  assert.deepEqual(await search({ q: `before:${day(1)} after:${day(-1)} ${w}` }), [later.id, m1.id]);
  assert.deepEqual(await search({ q: `before:${day(0)} ${w}` }), []);
  assert.deepEqual(await search({ q: `after:${day(1)} ${w}` }), []);
  assert.deepEqual(await search({ q: w, before: day(0) }), []);
  assert.deepEqual(await search({ q: `FROM:nobody_${word(6)} ${w}` }), []);
});

test('messages: deleted messages are never found', async () => {
  const c = await newUser();
  const g = await makeGroup(c, {});
  const w = word(10);
  const kept = await post(c, g.room, `kept ${w}`);
  const gone = await post(c, g.room, `gone ${w}`);
  assert.equal((await c.del(`/api/messages/${gone.id}`)).status, 204);
  for (const t of [w, swapTypo(w), w.slice(0, 6), `in:${g.roomName} ${w}`]) {
    const res = await c.get(`/api/search/messages?${q({ q: t })}`);
    assert.deepEqual(res.json.items.map((m) => m.id), [kept.id], `${t}: ${res.text}`);
  }
  const rows = await sql('SELECT deleted_at IS NOT NULL AS d FROM messages WHERE id = $1', [gone.id]);
  assert.equal(rows[0].d, true);
});

test('messages: validation', async () => {
  const c = await newUser();
  for (const params of [{}, { q: '' }, { q: 'x', limit: 101 }, { q: 'x', offset: -1 },
    { q: 'before:2026-13-01 x' }, { q: 'from: x' }, { q: 'x', group_id: 'abc' },
    { q: 'x', before: 'tomorrow' }, { q: 'x'.repeat(257) }, { q: 'x', from: 'a b' }]) {
    assertError(assert, await c.get(`/api/search/messages?${q(params)}`), 400);
  }
  assertError(assert, await raw('/api/search/messages?q=x'), 401);
  const res = await c.get('/api/search/messages?q=%21%21%21');
  assert.equal(res.status, 200, 'punctuation only finds nothing, quietly');
  assert.deepEqual(res.json.items, []);
});

test('messages: narrowed by room or sender, common words, prefixes, no match', async () => {
  const alice = await newUser();
  const bob = await newUser();
  const g = await makeGroup(alice, { is_public: true });
  assert.equal((await bob.post(`/api/groups/${g.id}/join`)).status, 200);
  const other = await makeGroup(alice, {});
  const w = word(10);
  // Both first rooms have the default name: give this one its own.
  g.roomName = `r${word(8)}`;
  await sql('UPDATE rooms SET name = $1 WHERE id = $2', [g.roomName, g.room]);
  const search = async (params) => {
    const res = await alice.get(`/api/search/messages?${q(params)}`);
    assert.equal(res.status, 200, res.text);
    return res.json.items.map((m) => m.id);
  };
  // A word common in the room, from both senders, and elsewhere.
  const a1 = await post(alice, g.room, `common ${w} one`);
  const b1 = await post(bob, g.room, `common ${w} two`);
  const a2 = await post(alice, g.room, `common ${w} three`);
  const elsewhere = await post(alice, other.room, `common ${w} four`);
  const gone = await post(alice, g.room, `common ${w} five`);
  assert.equal((await alice.del(`/api/messages/${gone.id}`)).status, 204);
  const from = `from:${alice.user.username}`;
  assert.deepEqual(await search({ q: `${from} in:${g.roomName} ${w}` }), [a2.id, a1.id]);
  assert.deepEqual(await search({ q: `in:${g.roomName} ${w}` }), [a2.id, b1.id, a1.id]);
  assert.deepEqual(await search({ q: w, room_id: g.room, from: bob.user.username }), [b1.id]);
  assert.deepEqual(await search({ q: `${from} ${w}` }), [elsewhere.id, a2.id, a1.id]);
  assert.deepEqual(await search({ q: `${from} in:${g.roomName}` }), [a2.id, a1.id]);
  // Prefix and typo through the narrowed walk; paging across tiers.
  assert.deepEqual(await search({ q: `in:${g.roomName} ${w.slice(0, 6)}` }), [a2.id, b1.id, a1.id]);
  assert.deepEqual(await search({ q: `${from} ${swapTypo(w)}` }), [elsewhere.id, a2.id, a1.id]);
  assert.deepEqual(await search({ q: `in:${g.roomName} ${w}`, limit: 1, offset: 1 }), [b1.id]);
  // No match, narrowed or not.
  assert.deepEqual(await search({ q: `in:${g.roomName} ${word(12)}` }), []);
  assert.deepEqual(await search({ q: `${from} ${word(12)}` }), []);
  assert.deepEqual(await search({ q: word(12) }), []);
});

test('messages: a narrowed search finds old matches past its newest-messages window', async () => {
  const c = await newUser();
  const g = await makeGroup(c, {});
  const w = word(10);
  const uid = c.user.id;
  // 6000 fillers (more than any window) between an old and a new match.
  const [old] = await sql('INSERT INTO messages (room_id, sender_id, text) '
    + 'VALUES ($1, $2, $3) RETURNING id', [g.room, uid, `old ${w}`]);
  await sql('INSERT INTO messages (room_id, sender_id, text) '
    + "SELECT $1, $2, 'filler ' || i FROM generate_series(1, 6000) i", [g.room, uid]);
  const recent = await post(c, g.room, `new ${w}`);
  const search = async (params) => {
    const res = await c.get(`/api/search/messages?${q(params)}`);
    assert.equal(res.status, 200, res.text);
    return res.json.items.map((m) => m.id);
  };
  const ids = [recent.id, Number(old.id)];
  assert.deepEqual(await search({ q: `in:${g.roomName} ${w}` }), ids);
  assert.deepEqual(await search({ q: `from:${c.user.username} ${w}` }), ids);
  assert.deepEqual(await search({ q: `from:${c.user.username} ${w.slice(0, 7)}` }), ids);
  assert.deepEqual(await search({ q: w, room_id: g.room }), ids);
  assert.deepEqual(await search({ q: `in:${g.roomName} ${swapTypo(w)}` }), ids);
  const page = await c.get(`/api/search/messages?${q({ q: `in:${g.roomName} filler`, limit: 3 })}`);
  assert.equal(page.json.items.length, 3);
  assert.equal(page.json.has_more, true);
  assert.ok(page.json.items[0].id > page.json.items[2].id);
});

test('messages: an edited message is found by its new words, exact, partial and misspelled', async () => {
  const c = await newUser();
  const g = await makeGroup(c, {});
  const w = word(11);
  const m = await post(c, g.room, 'nothing to see');
  const res0 = await c.patch(`/api/messages/${m.id}`, { text: `now with ${w} inside` });
  assert.equal(res0.status, 200, res0.text);
  for (const t of [w, w.slice(0, 6), swapTypo(w), substTypo(w), `in:${g.roomName} ${substTypo(w)}`]) {
    const res = await c.get(`/api/search/messages?${q({ q: t })}`);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json.items.map((x) => x.id), [m.id], `${t}: ${res.text}`);
    assert.match(res.json.items[0].snippet, /<mark>/, t);
  }
  // Two words, one of them misspelled; and a known word next to an unknown one.
  let res = await c.get(`/api/search/messages?${q({ q: `inside ${substTypo(w)}` })}`);
  assert.deepEqual(res.json.items.map((x) => x.id), [m.id], res.text);
  res = await c.get(`/api/search/messages?${q({ q: `${w} ${word(12)}` })}`);
  assert.deepEqual(res.json.items, [], res.text);
});

test('messages: words with digits match exactly or as word starts', async () => {
  const c = await newUser();
  const g = await makeGroup(c, {});
  const code = `${word(4)}${randomInt(100000, 999999)}${word(4)}`;
  const m = await post(c, g.room, `build ${code} passed`);
  for (const t of [code, code.slice(0, 8), code.toUpperCase()]) {
    const res = await c.get(`/api/search/messages?${q({ q: t })}`);
    assert.deepEqual(res.json.items.map((x) => x.id), [m.id], `${t}: ${res.text}`);
  }
});

test('messages: a match near the end of a long text gives a snippet that ends with the text', async () => {
  // Issue 11 item 1: the window's start was moved to a word boundary after
  // being clamped to the last 240 bytes, so the window ran up to 16 bytes
  // past the text and copied heap bytes into the snippet.
  const c = await newUser();
  const g = await makeGroup(c, {});
  const text = `${'a'.repeat(1775)} ${'c'.repeat(214)} zebra2000`;
  assert.equal(text.length, 2000);
  const m = await post(c, g.room, text);
  const res = await c.get(`/api/search/messages?${q({ q: 'zebra2000' })}`);
  assert.equal(res.status, 200, res.text);
  assert.deepEqual(res.json.items.map((x) => x.id), [m.id], res.text);
  assert.equal(res.json.items[0].snippet, `\u2026${'c'.repeat(214)} <mark>zebra2000</mark>`);
});

test('messages and groups: words inside tag-like and entity-like text are found', async () => {
  // Issue 11: PostgreSQL's parser reads <script>, </b>, <a href=x> as tags
  // and &name; as entities and drops them (and a <script> element's
  // content), so none of these words were indexed.
  const c = await newUser();
  const g = await makeGroup(c, {});
  const [inScript, inTag, inAttr, inEntity] = [word(10), word(10), word(10), word(10)];
  const text = `<script>${inScript}</script> <b>bold</b> <${inTag}> <a href="${inAttr}">x</a> &${inEntity};`;
  const m = await post(c, g.room, text);
  for (const t of ['script', inScript, inTag, inAttr, inEntity, 'bold', `${inScript} ${inEntity}`,
    inScript.slice(0, 6), swapTypo(inTag), substTypo(inEntity)]) {
    const res = await c.get(`/api/search/messages?${q({ q: t, group_id: g.id })}`);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json.items.map((x) => x.id), [m.id], `${t}: ${res.text}`);
    assert.match(res.json.items[0].snippet, /<mark>/, t);
    assert.ok(!/<(?!\/?mark>)/.test(res.json.items[0].snippet), 'only <mark> tags');
  }
  // The same text reads the same on both sides: a query written as markup.
  let res = await c.get(`/api/search/messages?${q({ q: `<b>${inTag}</b>`, group_id: g.id })}`);
  assert.deepEqual(res.json.items.map((x) => x.id), [m.id], res.text);
  // The word table (typos, partial words) knows the words too.
  const known = await sql('SELECT word FROM search_words WHERE word = ANY($1)', [[inScript, inTag, inAttr, inEntity]]);
  assert.equal(known.length, 4, JSON.stringify(known));

  const w = word(11);
  const pub = await makeGroup(c, { name: `<b>${w}</b>`, is_public: true });
  res = await c.get(`/api/search/groups?${q({ q: w })}`);
  assert.ok(res.json.items.some((x) => x.id === pub.id), res.text);
});

test('groups: word matches come before typo matches, and pages run across the two', async () => {
  const c = await newUser();
  const w = word(10);
  // Two groups with the word, two with it misspelled (typo tier only).
  const exact = [];
  for (let i = 0; i < 2; i++) exact.push(await makeGroup(c, { name: `${w} ${unique('ex')}`, is_public: true }));
  const typos = [];
  for (let i = 0; i < 2; i++) typos.push(await makeGroup(c, { name: `${swapTypo(w)} ${unique('ty')}`, is_public: true }));
  const all = await c.get(`/api/search/groups?${q({ q: w })}`);
  assert.equal(all.status, 200, all.text);
  const ids = all.json.items.map((g) => g.id);
  assert.deepEqual(ids.slice(0, 2).sort(), exact.map((g) => g.id).sort(), all.text);
  assert.deepEqual(ids.slice(2).sort(), typos.map((g) => g.id).sort(), all.text);
  assert.equal(all.json.has_more, false);
  // Pages of 3: the boundary between the tiers inside the first page,
  // the rest on the second, nothing twice.
  const p1 = await c.get(`/api/search/groups?${q({ q: w, limit: 3 })}`);
  const p2 = await c.get(`/api/search/groups?${q({ q: w, limit: 3, offset: 3 })}`);
  assert.equal(p1.json.has_more, true);
  assert.equal(p2.json.has_more, false);
  assert.deepEqual([...p1.json.items, ...p2.json.items].map((g) => g.id), ids);
  // A page that starts inside the typo tier.
  const p3 = await c.get(`/api/search/groups?${q({ q: w, limit: 1, offset: 2 })}`);
  assert.deepEqual(p3.json.items.map((g) => g.id), [ids[2]]);
  assert.equal(p3.json.has_more, true);
});
