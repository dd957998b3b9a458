// groups-cache.test.mjs - GET /api/groups from Redis (common/glist.h,
// issue 16 item 2): a cached list costs no PostgreSQL statement and one
// Redis round trip (a check script and a plain read of the answer,
// pipelined; the answer is served only under the stamp the check
// approved), and it is never stale: every change to what the list shows
// (a group's name or icon, a role, a room, posts and reads - those are
// also in unread-counts.test.mjs, which reads the list after each step -
// joins, leaves, a deleted group) shows in the next read, a revoked
// session is refused even when its list is cached, and a lost version
// makes the program ask PostgreSQL again.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { newUser, unique, raw, assertError } from '../lib/api.mjs';
import { redis, closeDb } from '../lib/db.mjs';
import { logStatements, stopLoggingStatements, statementsDuring } from '../lib/statements.mjs';
import { redisCommands } from '../lib/monitor.mjs';

before(logStatements);

after(async () => {
  await stopLoggingStatements();
  await closeDb();
});

/** The statements PostgreSQL logged while fn() ran, but the relay's
 * own (LISTEN, NOTIFY). */
async function pgStatements(fn) {
  const { res, lines } = await statementsDuring(fn);
  return { res, lines: lines.filter((l) => !/LISTEN|pg_notify|easychat_resync/.test(l)) };
}

async function list(c) {
  const res = await c.get('/api/groups');
  assert.equal(res.status, 200, res.text);
  return res.json;
}

/** Reads the list until a read costs no statement; returns that read. */
async function cached(c) {
  await list(c);
  const { res, lines } = await pgStatements(() => c.get('/api/groups'));
  assert.equal(res.status, 200, res.text);
  assert.deepEqual(lines, [], 'a cached list asks PostgreSQL nothing');
  return res.json;
}

const item = (json, id) => json.items.find((g) => g.id === id);

async function group(owner, name = unique('gc')) {
  const res = await owner.post('/api/groups', { name, is_public: true });
  assert.equal(res.status, 201, res.text);
  return res.json;
}

test('a cached list costs no PostgreSQL statement, and equals what PostgreSQL says', async () => {
  const a = await newUser();
  const b = await newUser();
  await b.useBearer();
  const g1 = await group(a);
  await group(a);
  assert.equal((await b.post(`/api/groups/${g1.id}/join`)).status, 200);
  for (const c of [a, b]) {
    const first = await pgStatements(() => c.get('/api/groups'));
    assert.equal(first.res.status, 200);
    assert.ok(first.lines.length > 0, 'the first read asks PostgreSQL');
    const again = await cached(c);
    assert.deepEqual(again, first.res.json);
  }
  // Pages past the first, and other limits, still work (the first page
  // of each limit is cached on its own).
  const one = await a.get('/api/groups?limit=1');
  assert.equal(one.json.items.length, 1);
  assert.equal(one.json.has_more, true);
  const second = await a.get('/api/groups?limit=1&offset=1');
  assert.equal(second.json.items.length, 1);
  assert.notEqual(second.json.items[0].id, one.json.items[0].id);
  assertError(assert, await a.get('/api/groups?limit=0'), 400, 'validation_failed');
});

test('every change to what the list shows is in the next read', async () => {
  const owner = await newUser();
  const m = await newUser();
  const g = await group(owner, unique('b-gc'));
  assert.equal((await m.post(`/api/groups/${g.id}/join`)).status, 200);

  await cached(m);
  const name = unique('a-renamed');
  assert.equal((await owner.patch(`/api/groups/${g.id}`, { name })).status, 200);
  assert.equal(item(await list(m), g.id).name, name, 'renamed');

  await cached(m);
  assert.equal((await owner.patch(`/api/groups/${g.id}/members/${m.user.id}`, { role: 'moderator' })).status, 200);
  assert.equal(item(await list(m), g.id).my_role, 'moderator', 'promoted');

  await cached(m);
  const r2 = await owner.post(`/api/topics/${g.topics[0].id}/rooms`, { name: 'second' });
  assert.equal(r2.status, 201, r2.text);
  await owner.post(`/api/rooms/${r2.json.id}/messages`, { text: 'in a new room' });
  assert.equal(item(await list(m), g.id).unread_count, 1, 'a post in a new room');

  await cached(m);
  assert.equal((await m.post(`/api/rooms/${r2.json.id}/read`, { last_read_id: 10 ** 15 })).status, 204);
  assert.equal(item(await list(m), g.id).unread_count, 0, 'read');

  // A group joined, then left.
  const other = await group(owner);
  await cached(m);
  assert.equal((await m.post(`/api/groups/${other.id}/join`)).status, 200);
  assert.ok(item(await list(m), other.id), 'joined');
  await cached(m);
  assert.equal((await m.post(`/api/groups/${other.id}/leave`)).status, 204);
  assert.equal(item(await list(m), other.id), undefined, 'left');

  // A group deleted by its owner.
  await cached(m);
  assert.equal((await owner.del(`/api/groups/${g.id}`)).status, 204);
  assert.equal(item(await list(m), g.id), undefined, 'deleted');
});

test('a revoked session is refused even when its list is cached', async () => {
  const u = await newUser();
  const t = await u.useBearer();
  await group(u);
  await cached(u);
  const out = await raw('/api/auth/logout', { method: 'POST', json: { refresh: t.refresh },
    headers: { Authorization: `Bearer ${t.access}` } });
  assert.equal(out.status, 204, out.text);
  assertError(assert, await u.get('/api/groups'), 401, 'token_invalid');
});

test('a lost version (Redis emptied) makes the next read ask PostgreSQL', async () => {
  const u = await newUser();
  const g = await group(u);
  await cached(u);
  const r = await redis();
  try {
    await r.del(`glist:user:${u.user.id}`);
  } finally {
    await r.quit();
  }
  const { res, lines } = await pgStatements(() => u.get('/api/groups'));
  assert.equal(res.status, 200, res.text);
  assert.ok(lines.length > 0, 'asked PostgreSQL');
  assert.ok(item(res.json, g.id));
  // The group's version lost instead.
  await cached(u);
  const r2 = await redis();
  try {
    await r2.del(`hist:group:${g.id}`);
  } finally {
    await r2.quit();
  }
  const again = await pgStatements(() => u.get('/api/groups'));
  assert.ok(again.lines.length > 0, 'asked PostgreSQL after the group version was lost');
});

test('a cached list is one round trip: the check script and an HMGET of the answer, served only while its versions match', async () => {
  const u = await newUser();
  await u.useBearer();
  await group(u);
  const real = await cached(u);
  const { res, cmds } = await redisCommands(() => u.get('/api/groups'));
  assert.equal(res.status, 200);
  assert.deepEqual(res.json, real);
  const mine = cmds.filter((x) => x.args.includes(`glist:user:${u.user.id}`));
  assert.equal(mine.length, 1, JSON.stringify(cmds));
  const conn = cmds.filter((x) => x.addr === mine[0].addr);
  assert.deepEqual(conn.map((x) => x.args[0].toUpperCase()), ['EVALSHA', 'HMGET'], JSON.stringify(cmds));
  const key = conn[1].args[1];
  assert.match(key, new RegExp(`^glist:page:${u.user.id}:`));
  const r = await redis();
  try {
    const stamp = await r.hGet(key, 'f');
    assert.match(stamp || '', /^[0-9a-f]{40}$/);
    const fake = JSON.stringify({ items: [], has_more: false, fake: 1 });
    // Under the approved stamp the stored body is served (so the check
    // below is not vacuous) ...
    await r.hSet(key, 'body', fake);
    assert.equal((await list(u)).fake, 1);
    // ... an answer made under another user version never is.
    await r.hSet(key, { u: '1', body: fake });
    const { res: got, lines } = await pgStatements(() => u.get('/api/groups'));
    assert.equal(got.status, 200);
    assert.deepEqual(got.json, real);
    assert.ok(lines.length > 0, 'asked PostgreSQL');
    assert.equal(await r.hGet(key, 'f'), stamp, 'the fill put the same stamp back');
  } finally {
    await r.quit();
  }
});
