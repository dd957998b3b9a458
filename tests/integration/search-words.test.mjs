// search-words.test.mjs - the search word table kept off the post path
// (migration 0085): a post only queues its message, easychat-deliver adds
// the words in batches within SEARCH_WORDS_POLL_MS, a search adds what is
// still queued before it reads the table; edits and deletes show at once.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { newUser, unique } from '../lib/api.mjs';
import { closeDb, sql } from '../lib/db.mjs';

after(closeDb);

/** A made-up word of `n` letters nobody else uses. */
function word(n = 11) {
  const letters = 'bcdfghjklmnpqrstvwxz';
  const vowels = 'aeiou';
  let w = '';
  for (let i = 0; i < n; i++) w += i % 2 ? vowels[randomInt(5)] : letters[randomInt(20)];
  return w;
}
/** The word with two neighbouring letters in the middle swapped (found
 * only through the word table: the typo tier). */
function typo(w) {
  const i = Math.floor(w.length / 2);
  return w.slice(0, i) + w[i + 1] + w[i] + w.slice(i + 2);
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function setup() {
  const c = await newUser();
  const res = await c.post('/api/groups', { name: unique('words') });
  assert.equal(res.status, 201, res.text);
  return { c, room: res.json.topics[0].rooms[0].id };
}
async function post(c, room, text) {
  const res = await c.post(`/api/rooms/${room}/messages`, { text });
  assert.equal(res.status, 201, res.text);
  return res.json;
}
async function found(c, q) {
  const res = await c.get(`/api/search/messages?${new URLSearchParams({ q })}`);
  assert.equal(res.status, 200, res.text);
  return res.json.items.map((m) => m.id);
}
async function known(w) {
  return (await sql('SELECT 1 FROM search_words WHERE word = $1', [w])).length === 1;
}

test('a post queues its message; the deliverer adds its words within 1 s, without any search', async () => {
  const { c, room } = await setup();
  const w = word();
  const m = await post(c, room, `the ${w} arrived`);
  const started = Date.now();
  while (!(await known(w))) {
    assert.ok(Date.now() - started < 1000, `${w} not in search_words after 1 s`);
    await sleep(50);
  }
  const queued = await sql('SELECT 1 FROM search_words_queue WHERE message_id = $1', [m.id]);
  assert.equal(queued.length, 0, 'the drained message left the queue');
  assert.deepEqual(await found(c, typo(w)), [m.id], 'the typo tier reads the word table');
  assert.deepEqual(await found(c, w), [m.id]);
});

test('a search right after a post finds it through the word table (the search drains the queue)', async () => {
  const { c, room } = await setup();
  for (let i = 0; i < 5; i++) {
    const w = word();
    // The other words start with two consonants: no word() can begin
    // like them, so the prefix tier finds only this post.
    const m = await post(c, room, `fresh ${w} stuff`);
    // No wait: whether or not the deliverer got there first, the search
    // must know the word (typo and prefix tiers expand through it).
    assert.deepEqual(await found(c, typo(w)), [m.id], `typo of ${w}`);
    assert.deepEqual(await found(c, w.slice(0, 7)), [m.id], `prefix of ${w}`);
  }
});

test('edits and deletes are reflected by the next search', async () => {
  const { c, room } = await setup();
  const before = word();
  const afterWord = word();
  const m = await post(c, room, `draft ${before}`);
  assert.deepEqual(await found(c, before), [m.id]);
  const res = await c.patch(`/api/messages/${m.id}`, { text: `final ${afterWord}` });
  assert.equal(res.status, 200, res.text);
  assert.ok(await known(afterWord), 'an edit adds its words at once');
  assert.deepEqual(await found(c, afterWord), [m.id]);
  assert.deepEqual(await found(c, typo(afterWord)), [m.id]);
  assert.deepEqual(await found(c, before), [], 'the old text is not found');
  assert.equal((await c.del(`/api/messages/${m.id}`)).status, 204);
  assert.deepEqual(await found(c, afterWord), [], 'a deleted message is not found');
  assert.deepEqual(await found(c, typo(afterWord)), []);
});

test('many posts at once: every word arrives, once', async () => {
  const { c, room } = await setup();
  const words = Array.from({ length: 40 }, () => word());
  const posted = await Promise.all(words.map((w, i) => post(c, room, `${w} number ${i}`)));
  const started = Date.now();
  for (;;) {
    const rows = await sql('SELECT count(*)::int AS n FROM search_words WHERE word = ANY ($1)', [words]);
    if (rows[0].n === words.length) break;
    assert.ok(Date.now() - started < 1000, `${rows[0].n}/${words.length} words after 1 s`);
    await sleep(50);
  }
  const ids = posted.map((m) => m.id);
  const left = await sql('SELECT count(*)::int AS n FROM search_words_queue WHERE message_id = ANY ($1)', [ids]);
  assert.equal(left[0].n, 0);
  assert.deepEqual(await found(c, words[17]), [posted[17].id]);
});
