// names.test.mjs - topic names unique within a group and room names unique
// within a topic, regardless of case (issue 12; migration 0037): 409
// name_taken on create and rename, nothing changed, through the real stack.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { unique, newUser, assertError, REPO } from '../lib/api.mjs';
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

// The renaming of 0037, run again on duplicates made for the purpose in a
// transaction that is rolled back (the unique indexes dropped inside it).
test('0037 renames existing duplicates deterministically, then the indexes hold', async () => {
  const owner = await newUser();
  const g = await makeGroup(owner);
  const file = fs.readFileSync(path.join(REPO, 'db/migrations/0037_unique_topic_room_names.sql'), 'utf8');
  const block = file.slice(file.indexOf('DO $$'), file.indexOf('$$;') + 3);
  const indexes = file.slice(file.indexOf('CREATE UNIQUE INDEX'));
  const c = new pg.Client({ host: process.env.DB_HOST, port: Number(process.env.DB_PORT),
    database: process.env.DB_NAME, user: process.env.DB_USER, password: process.env.DB_PASSWORD });
  await c.connect();
  try {
    await c.query('BEGIN');
    await c.query('DROP INDEX topics_group_name_unique; DROP INDEX rooms_topic_name_unique');
    const names = ['Lounge', 'lounge', 'Lounge (2)', 'LOUNGE', 'abcdefghijklmnopqrstuv', 'ABCDEFGHIJKLMNOPQRSTUV'];
    for (const n of names) await c.query('INSERT INTO topics (group_id, name) VALUES ($1, $2)', [g.id, n]);
    const topic = g.topics[0].id;
    for (const n of ['Home', 'HOME']) {
      await c.query('INSERT INTO rooms (topic_id, group_id, name) VALUES ($1, $2, $3)', [topic, g.id, n]);
    }
    await c.query(block);
    const t = (await c.query('SELECT name FROM topics WHERE group_id = $1 ORDER BY id', [g.id])).rows.map((r) => r.name);
    assert.deepEqual(t, ['General', 'Lounge', 'lounge (3)', 'Lounge (2)', 'LOUNGE (4)',
      'abcdefghijklmnopqrstuv', 'ABCDEFGHIJKLMNOPQR (2)']);
    const r = (await c.query('SELECT name FROM rooms WHERE topic_id = $1 ORDER BY id', [topic])).rows.map((x) => x.name);
    assert.deepEqual(r, ['home', 'Home (2)', 'HOME (3)']);
    await c.query(indexes);
  } finally {
    await c.query('ROLLBACK').catch(() => {});
    await c.end();
  }
  // Nothing of it stayed.
  const rows = await sql('SELECT count(*)::int AS n FROM topics WHERE group_id = $1', [g.id]);
  assert.equal(rows[0].n, 1);
});
