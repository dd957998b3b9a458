// relay-faults.test.mjs - the relay's view stays right when events are
// lost (issue 11 items 2, 3, 4, 7): a program that cannot publish makes
// the relays resync through PostgreSQL NOTIFY, a resync re-checks
// memberships and sessions, a revoked session cannot connect, a member
// kicked while connecting gets nothing, and status frames are coalesced.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { newUser, unique, sleep } from '../lib/api.mjs';
import { connect } from '../lib/ws.mjs';
import { sql, redis, closeDb } from '../lib/db.mjs';

const RELAYS = (process.env.RELAY_URLS || '').split(',').filter(Boolean);
const open = [];
let rds;

async function ws(c, opts = {}) {
  const w = await connect({ cookie: c.cookieHeader(), ...opts });
  open.push(w);
  const hello = await w.next((e) => e.type === 'hello', 3000);
  assert.equal(hello.user_id, c.user.id);
  return w;
}

async function makeGroup(owner, isPublic = true) {
  const res = await owner.post('/api/groups', { name: unique('g'), is_public: isPublic });
  assert.equal(res.status, 201, res.text);
  return { id: res.json.id, room: res.json.topics[0].rooms[0].id };
}

/* A member added in the database (no event): the relay learns it at the
 * handshake. */
async function addMember(g, c) {
  await sql('INSERT INTO group_members (group_id, user_id) VALUES ($1, $2)', [g.id, c.user.id]);
}

async function post(c, room, text) {
  const res = await c.post(`/api/rooms/${room}/messages`, { text, nonce: randomBytes(8).toString('hex') });
  assert.equal(res.status, 201, res.text);
  return res.json;
}

async function sessionId(c) {
  const [row] = await sql('SELECT max(id) AS id FROM sessions WHERE user_id = $1 AND revoked_at IS NULL',
    [c.user.id]);
  return Number(row.id);
}

after(async () => {
  for (const w of open) w.ws.terminate();
  if (rds) await rds.quit().catch(() => {});
  await closeDb();
});

test('a revoked session cannot open a websocket, even without its Redis mark', async () => {
  const a = await newUser();
  await ws(a);
  // Revoked in PostgreSQL only (the Redis mark lost, e.g. a restart).
  await sql('UPDATE sessions SET revoked_at = now() WHERE user_id = $1', [a.user.id]);
  let status = 101;
  try {
    open.push(await connect({ cookie: a.cookieHeader() }));
  } catch (e) {
    status = e.status;
  }
  assert.equal(status, 401);
});

test('a resync closes sessions revoked meanwhile (4001) and drops lost memberships', async () => {
  rds = await redis();
  const owner = await newUser();
  const a = await newUser();
  const b = await newUser();
  const g = await makeGroup(owner, false);
  await addMember(g, b);
  const wa = await ws(a);
  const wb = await ws(b);
  const sid = await sessionId(a);
  // Both changes without their events, as when Redis lost them.
  await sql('UPDATE sessions SET revoked_at = now() WHERE id = $1', [sid]);
  await sql('DELETE FROM group_members WHERE group_id = $1 AND user_id = $2', [g.id, b.user.id]);
  await sql("SELECT pg_notify('easychat_resync', 'test')");
  await wa.next((e) => e.type === 'resync', 3000);
  const ev = await wa.next((e) => e.type === 'session.revoked', 3000);
  assert.equal(ev.session_id, sid);
  assert.equal((await wa.closed).code, 4001);
  await wb.next((e) => e.type === 'resync', 3000);
  await sleep(300);
  await post(owner, g.room, 'private after the kick');
  await sleep(500);
  assert.deepEqual(wb.events.filter((e) => e.type === 'message.created'), []);
  wb.send({ type: 'ping' });
  await wb.next((e) => e.type === 'pong', 2000);
});

test('Redis stalled (CLIENT PAUSE WRITE): a kicked member receives nothing after the kick', async () => {
  rds = rds || await redis();
  const owner = await newUser();
  const k = await newUser();
  const g = await makeGroup(owner, false);
  await addMember(g, k);
  const wk = await ws(k);
  const wo = await ws(owner);
  const first = await post(owner, g.room, 'before the stall');
  await wk.next((e) => e.type === 'message.created' && e.message.id === first.id, 3000);
  await rds.sendCommand(['CLIENT', 'PAUSE', '5000', 'WRITE']);
  const t0 = Date.now();
  try {
    const res = await owner.del(`/api/groups/${g.id}/members/${k.user.id}`);
    assert.ok(res.status === 204 || res.status === 200, res.text);
    const kickedAt = Date.now();
    for (let i = 0; i < 4; i++) await post(owner, g.room, `private ${i}`);
    // Until the stall is over and its queued commands ran.
    await sleep(Math.max(0, 5000 - (Date.now() - t0)) + 1500);
    const got = wk.events.filter((e) => e.type === 'message.created' && e._at >= kickedAt);
    assert.deepEqual(got.map((e) => e.message.text), [], 'no private message after the kick');
    // The events Redis refused came through PostgreSQL (NOTIFY): the
    // member still in the group got every one of them.
    const owned = wo.events.filter((e) => e.type === 'message.created' && e._at >= kickedAt);
    assert.deepEqual([...new Set(owned.map((e) => e.message.text))].sort(),
      ['private 0', 'private 1', 'private 2', 'private 3'], 'the owner got the stalled events');
  } finally {
    await rds.sendCommand(['CLIENT', 'UNPAUSE']).catch(() => {});
  }
  // Events flow again.
  const again = await post(owner, g.room, 'after the stall');
  await wo.next((e) => e.type === 'message.created' && e.message.id === again.id, 3000);
});

test('status frames are coalesced: a flood is a few saves, the last one wins', async () => {
  const a = await newUser();
  const b = await newUser();
  const g = await makeGroup(a);
  await addMember(g, b);
  const wb = await ws(b);
  wb.send({ type: 'focus', group_id: g.id });
  const wa = await ws(a);
  await wb.next((e) => e.type === 'presence' && e.user_id === a.user.id && e.online, 3000);
  await sleep(200);
  const before = wb.events.length;
  const statuses = ['Busy', 'Online', 'Sleeping'];
  for (let i = 0; i < 3000; i++) wa.send({ type: 'status', status: statuses[i % 3] });
  wa.send({ type: 'status', status: 'Busy' });
  wa.send({ type: 'ping' });
  await wa.next((e) => e.type === 'pong', 10000);
  // The interval is 2 s: the pending value is saved by then.
  await sleep(3000);
  const presence = wb.events.slice(before).filter((e) => e.type === 'presence' && e.user_id === a.user.id);
  assert.ok(presence.length >= 1 && presence.length <= 6, `${presence.length} presence events`);
  assert.equal(presence[presence.length - 1].status, 'Busy');
  const [row] = await sql('SELECT status, default_status FROM profiles WHERE user_id = $1', [a.user.id]);
  assert.deepEqual([row.status, row.default_status], ['Busy', 'Busy']);
});

test('kicked while connecting: no private event reaches the new socket', async () => {
  // The kick lands between the relay's group lookup and its subscription
  // to user:<id> in some of these tries (the issue saw 1 in 300).
  const owner = await newUser();
  const g = await makeGroup(owner, false);
  const users = [];
  for (let i = 0; i < 40; i++) users.push(await newUser());
  for (const u of users) await addMember(g, u);
  const sockets = [];
  await Promise.all(users.map(async (u, i) => {
    const url = RELAYS[i % RELAYS.length];
    const opening = connect({ cookie: u.cookieHeader(), url }).then((w) => { open.push(w); sockets.push(w); })
      .catch(() => {});
    await sleep(i % 5);
    const res = await owner.del(`/api/groups/${g.id}/members/${u.user.id}`);
    assert.ok(res.status === 204 || res.status === 200, res.text);
    await opening;
  }));
  await sleep(500);
  const msg = await post(owner, g.room, 'members only');
  await sleep(1000);
  const leaked = sockets.filter((w) => w.events.some((e) => e.type === 'message.created' && e.message.id === msg.id));
  assert.equal(leaked.length, 0, `${leaked.length} kicked sockets got the private message`);
});
