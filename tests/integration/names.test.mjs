// names.test.mjs - topic names unique within a group and room names unique
// within a topic, regardless of case (issue 12; migration 0037): 409
// name_taken on create and rename, nothing changed, through the real stack.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { unique, newUser, assertError } from '../lib/api.mjs';
import { sql, closeDb } from '../lib/db.mjs';

after(closeDb);

async function makeGroup(owner) {
  const res = await owner.post('/api/groups', { name: unique('names') });
  assert.equal(res.status, 201, res.text);
  return res.json;
}

test('topic names are unique within a group, ignoring case', async () => {
  const owner = await newUser();
  const g = await makeGroup(owner);
  let res = await owner.post(`/api/groups/${g.id}/topics`, { name: 'Lounge' });
  assert.equal(res.status, 201, res.text);
  const lounge = res.json;
  for (const name of ['Lounge', '  lounge ', 'GENERAL']) {
    res = await owner.post(`/api/groups/${g.id}/topics`, { name });
    assertError(assert, res, 409, 'name_taken');
    assert.match(res.json.error.message, /topic with this name/);
  }
  // Renaming onto another topic's name is refused; onto its own (case) is fine.
  res = await owner.patch(`/api/topics/${lounge.id}`, { name: 'general' });
  assertError(assert, res, 409, 'name_taken');
  res = await owner.patch(`/api/topics/${lounge.id}`, { name: 'LOUNGE' });
  assert.equal(res.status, 200, res.text);
  const rows = await sql('SELECT name FROM topics WHERE group_id = $1 ORDER BY id', [g.id]);
  assert.deepEqual(rows.map((r) => r.name), ['General', 'LOUNGE']);
  // Another group may use the same name.
  const other = await makeGroup(owner);
  res = await owner.post(`/api/groups/${other.id}/topics`, { name: 'Lounge' });
  assert.equal(res.status, 201, res.text);
});

test('room names are unique within a topic, ignoring case', async () => {
  const owner = await newUser();
  const g = await makeGroup(owner);
  const topic = g.topics[0].id;
  let res = await owner.post(`/api/topics/${topic}/rooms`, { name: 'HOME' });
  assertError(assert, res, 409, 'name_taken');
  assert.match(res.json.error.message, /room with this name/);
  res = await owner.post(`/api/topics/${topic}/rooms`, { name: 'lobby' });
  assert.equal(res.status, 201, res.text);
  const lobby = res.json;
  res = await owner.patch(`/api/rooms/${lobby.id}`, { name: 'Home' });
  assertError(assert, res, 409, 'name_taken');
  res = await owner.patch(`/api/rooms/${lobby.id}`, { name: 'Lobby', description: 'x' });
  assert.equal(res.status, 200, res.text);
  // Another topic of the same group may have a room of the same name.
  const t2 = await owner.post(`/api/groups/${g.id}/topics`, { name: 'Second' });
  res = await owner.post(`/api/topics/${t2.json.id}/rooms`, { name: 'home' });
  assert.equal(res.status, 201, res.text);
  const rows = await sql('SELECT name FROM rooms WHERE topic_id = $1 ORDER BY id', [topic]);
  assert.deepEqual(rows.map((r) => r.name), ['home', 'Lobby']);
});
