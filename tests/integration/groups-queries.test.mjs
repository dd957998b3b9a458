// groups-queries.test.mjs - how many SQL statements each endpoint of the
// groups program runs, counted from PostgreSQL's own statement log
// (log_statement = all for the length of this file), so that an N+1 or a
// stray extra round trip fails here.  BEGIN/COMMIT/ROLLBACK are counted
// apart from queries.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import path from 'node:path';
import { newUser, unique, env } from '../lib/api.mjs';
import { sql, closeDb } from '../lib/db.mjs';
import { logStatements, stopLoggingStatements, countStatements } from '../lib/statements.mjs';

const LOG = path.join(env.varDir, 'log', 'postgres.log');

before(logStatements);

after(async () => {
  await stopLoggingStatements();
  await closeDb();
});

test('statements per endpoint', async (t) => {
  assert.ok(statSync(LOG).size > 0);
  const owner = await newUser();
  const u = await newUser();
  const v = await newUser();
  const table = [];
  const check = async (name, fn, queries, tx = 0, status) => {
    const got = await countStatements(fn);
    if (status) assert.equal(got.res.status, status, `${name}: ${got.res.text}`);
    table.push(`${name}: ${got.queries} queries${got.tx.length ? ` + ${got.tx.length} BEGIN/COMMIT` : ''}`);
    assert.equal(got.queries, queries, `${name}: queries`);
    assert.equal(got.tx.length, tx, `${name}: transaction statements`);
    return got.res;
  };

  // A group with some rooms and messages, so that nothing is trivially empty.
  const g = (await check('POST /api/groups', () => owner.post('/api/groups', { name: unique('q') }), 1 + 2, 0, 201)).json;
  for (let i = 0; i < 3; i++) await owner.post(`/api/groups/${g.id}/topics`, { name: `t${i}` });
  const topics = await sql('SELECT id FROM topics WHERE group_id = $1', [g.id]);
  for (const tp of topics) {
    for (let j = 0; j < 2; j++) {
      // Room names are unique within a topic (0037).
      const [r] = await sql('INSERT INTO rooms (topic_id, group_id, name) VALUES ($1, $2, $3) RETURNING id', [tp.id, g.id, `r${j}`]);
      const [m] = await sql("INSERT INTO messages (room_id, sender_id, text) VALUES ($1, $2, 'x') RETURNING id", [r.id, owner.user.id]);
      await sql('UPDATE rooms SET last_message_id = $2 WHERE id = $1', [r.id, m.id]);
    }
  }
  for (let i = 0; i < 4; i++) await owner.post('/api/groups', { name: unique('q') });

  // A miss: the groups whose versions the cache fill leases, then the
  // list; the next read is served from Redis (common/glist.h).
  await check('GET /api/groups', () => owner.get('/api/groups'), 2, 0, 200);
  await check('GET /api/groups (cached)', () => owner.get('/api/groups'), 0, 0, 200);
  await check('GET /api/groups/{id}', () => owner.get(`/api/groups/${g.id}`), 3, 0, 200);
  await check('PATCH /api/groups/{id}', () => owner.patch(`/api/groups/${g.id}`, { description: 'x' }), 4, 0, 200);
  // + the ban check (0050), under the group row lock the join already holds
  await check('POST /api/groups/{id}/join (new member)', () => u.post(`/api/groups/${g.id}/join`), 7, 2, 200);
  await check('POST /api/groups/{id}/join (already member)', () => u.post(`/api/groups/${g.id}/join`), 3, 0, 200);
  await check('GET /api/groups/{id}/members', () => u.get(`/api/groups/${g.id}/members`), 2, 0, 200);
  // Role changes, kicks, invites made and revoked and renames each write
  // one audit entry (0050, common/audit.c): one statement more than before.
  await check('PATCH /api/groups/{id}/members/{id}', () => owner.patch(`/api/groups/${g.id}/members/${u.user.id}`, { role: 'moderator' }), 4, 2, 200);
  await check('DELETE /api/groups/{id}/members/{id}', () => owner.del(`/api/groups/${g.id}/members/${u.user.id}`), 4, 2, 204);
  const inv = await check('POST /api/groups/{id}/invites', () => owner.post(`/api/groups/${g.id}/invites`, { max_uses: 5 }), 3, 0, 201);
  await check('GET /api/groups/{id}/invites', () => owner.get(`/api/groups/${g.id}/invites`), 2, 0, 200);
  await check('GET /api/invites/{code}', () => v.get(`/api/invites/${inv.json.code}`), 1, 0, 200);
  // + the group row lock and the ban check under it (0050)
  await check('POST /api/invites/{code}/accept', () => v.post(`/api/invites/${inv.json.code}/accept`), 9, 2, 200);
  await check('DELETE /api/invites/{code}', () => owner.del(`/api/invites/${inv.json.code}`), 4, 0, 204);
  await check('POST /api/groups/{id}/leave', () => v.post(`/api/groups/${g.id}/leave`), 2, 0, 204);
  const tp = await check('POST /api/groups/{id}/topics', () => owner.post(`/api/groups/${g.id}/topics`, { name: 'n' }), 2, 0, 201);
  await check('PATCH /api/topics/{id}', () => owner.patch(`/api/topics/${tp.json.id}`, { name: 'm' }), 3, 0, 200);
  await check('DELETE /api/topics/{id}', () => owner.del(`/api/topics/${tp.json.id}`), 2, 0, 204);
  await check('GET /api/public-groups', () => v.get('/api/public-groups?q=q_'), 1, 0, 200);
  // + the read of the attachment garbage its messages' files left (attach.c)
  await check('DELETE /api/groups/{id}', () => owner.del(`/api/groups/${g.id}`), 3, 0, 204);
  for (const line of table) t.diagnostic(line);
});
