// room-refs.test.mjs - `#room` references stored with a message (issue 13
// item 2) against the real stack: resolved to rooms of the message's group
// when it is posted (one-statement path and the mention path alike) or
// edited, any case, in order, the message's own topic first when two
// topics share a name; returned as `rooms` in the message JSON (answer,
// event, history page) and kept as they were after a rename; gone with an
// edit that drops them and with the deletion.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { newUser, unique } from '../lib/api.mjs';
import { sql, subscribe, closeDb } from '../lib/db.mjs';

after(closeDb);

async function world() {
  const owner = await newUser();
  const member = await newUser();
  const res = await owner.post('/api/groups', { name: unique('refs'), is_public: true });
  assert.equal(res.status, 201, res.text);
  const g = res.json.id;
  const topic = res.json.topics[0].id;
  const room = res.json.topics[0].rooms[0].id;
  assert.equal((await member.post(`/api/groups/${g}/join`)).status, 200);
  const mk = async (t, name) => {
    const r = await owner.post(`/api/topics/${t}/rooms`, { name });
    assert.equal(r.status, 201, r.text);
    return r.json.id;
  };
  const other = await owner.post(`/api/groups/${g}/topics`, { name: 'Other' });
  assert.equal(other.status, 201, other.text);
  return { owner, member, g, topic, room, mk, otherTopic: other.json.id };
}

const page = async (c, room) => {
  const res = await c.get(`/api/rooms/${room}/messages?limit=50`);
  assert.equal(res.status, 200, res.text);
  return res.json.items;
};

test('posting stores the #rooms of the group the text names, in order, as written', async () => {
  const w = await world();
  const lobby = await w.mk(w.topic, 'lobby');
  const dev = await w.mk(w.topic, 'dev-talk');
  // A room of that name in another group is not this group's.
  const elsewhere = await newUser();
  const og = await elsewhere.post('/api/groups', { name: unique('refs-other') });
  const far = await elsewhere.post(`/api/topics/${og.json.topics[0].id}/rooms`, { name: 'faraway' });
  assert.equal(far.status, 201, far.text);
  const sub = await subscribe(`group:${w.g}`);
  try {
    // No '@': the one-statement post.
    const res = await w.member.post(`/api/rooms/${w.room}/messages`, { text: 'see #Dev-Talk, then #LOBBY and #dev-talk; not #faraway, #nope, or a#lobby' });
    assert.equal(res.status, 201, res.text);
    assert.deepEqual(res.json.rooms, [{ id: dev, name: 'Dev-Talk' }, { id: lobby, name: 'LOBBY' }]);
    const ev = await sub.next((x) => x.data.type === 'message.created' && x.data.message.id === res.json.id);
    assert.deepEqual(ev.data.message.rooms, res.json.rooms);
    // With a mention: the general path, the same.
    const both = await w.member.post(`/api/rooms/${w.room}/messages`, { text: `@${w.owner.user.username} #lobby` });
    assert.equal(both.status, 201, both.text);
    assert.deepEqual(both.json.rooms, [{ id: lobby, name: 'lobby' }]);
    // No reference: an empty list, and nothing stored.
    const plain = await w.member.post(`/api/rooms/${w.room}/messages`, { text: 'no rooms here #' });
    assert.deepEqual(plain.json.rooms, []);
    assert.equal((await sql('SELECT room_refs FROM messages WHERE id = $1', [plain.json.id]))[0].room_refs, null);
    const items = await page(w.owner, w.room);
    assert.deepEqual(items.find((m) => m.id === res.json.id).rooms, res.json.rooms);
  } finally {
    await sub.close();
  }
});

test('a reference keeps its room after a rename; two topics with one name: the own topic first', async () => {
  const w = await world();
  const gen = await w.mk(w.topic, 'general2');
  const twinHere = await w.mk(w.topic, 'twin');
  await w.mk(w.otherTopic, 'twin');
  const res = await w.member.post(`/api/rooms/${w.room}/messages`, { text: 'to #general2 or #twin' });
  assert.equal(res.status, 201, res.text);
  assert.deepEqual(res.json.rooms, [{ id: gen, name: 'general2' }, { id: twinHere, name: 'twin' }]);
  // Posted from the other topic, #twin is that topic's.
  const there = await w.mk(w.otherTopic, 'there');
  const fromThere = await w.member.post(`/api/rooms/${there}/messages`, { text: '#twin' });
  assert.notEqual(fromThere.json.rooms[0].id, twinHere);
  // Rename: the stored reference still names the same room.
  const ren = await w.owner.patch(`/api/rooms/${gen}`, { name: 'renamed' });
  assert.equal(ren.status, 200, ren.text);
  const again = await w.owner.post(`/api/topics/${w.topic}/rooms`, { name: 'general2' });
  assert.equal(again.status, 201, again.text);
  const items = await page(w.member, w.room);
  assert.deepEqual(items.find((m) => m.id === res.json.id).rooms, [{ id: gen, name: 'general2' }, { id: twinHere, name: 'twin' }]);
});

test('an edit resolves the new text; an edit without references and the deletion clear them', async () => {
  const w = await world();
  const a = await w.mk(w.topic, 'alpha');
  const b = await w.mk(w.topic, 'beta');
  const m = (await w.member.post(`/api/rooms/${w.room}/messages`, { text: 'plain' })).json;
  assert.deepEqual(m.rooms, []);
  let res = await w.member.patch(`/api/messages/${m.id}`, { text: 'now #beta and #alpha' });
  assert.equal(res.status, 200, res.text);
  assert.deepEqual(res.json.rooms, [{ id: b, name: 'beta' }, { id: a, name: 'alpha' }]);
  res = await w.member.patch(`/api/messages/${m.id}`, { text: 'no more' });
  assert.deepEqual(res.json.rooms, []);
  res = await w.member.patch(`/api/messages/${m.id}`, { text: '#alpha' });
  assert.deepEqual(res.json.rooms, [{ id: a, name: 'alpha' }]);
  assert.equal((await w.member.del(`/api/messages/${m.id}`)).status, 204);
  assert.equal((await sql('SELECT room_refs FROM messages WHERE id = $1', [m.id]))[0].room_refs, null);
});
