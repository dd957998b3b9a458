// replica.test.mjs - reads from the PostgreSQL streaming replica
// (DATABASE_REPLICA_URL, common/db.h) on the multi-host topology (make test
// TOPOLOGY=multi): history pages older than one the replica holds, and
// search once the replica has caught up, are read there; the newest page,
// a cursor the replica has not replayed yet and every membership check
// come from the primary (a kicked member loses access at once, whatever
// the replica says); a stopped replica costs no failed request and one
// log line per process, and reads go back to it when it returns.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import pg from 'pg';
import { env, newUser, unique, stack, sleep, assertError } from '../lib/api.mjs';
import { closeDb, sql } from '../lib/db.mjs';

const FRONTS = (process.env.FRONT_URLS || '').split(',').filter(Boolean);
const N = 30;

let replica; // a connection to the replica, as the database owner
let owner, member, group, room;
const ids = []; // the room's messages, oldest first

async function replicaClient() {
  const c = new pg.Client({ host: '127.0.0.1', port: Number(process.env.PG_REPLICA_PORT),
    database: process.env.DB_NAME, user: process.env.DB_USER, password: process.env.DB_PASSWORD });
  c.on('error', () => {});
  await c.connect();
  return c;
}

/** Waits until the replica has replayed everything the primary flushed. */
async function caughtUp() {
  const [{ lsn }] = await sql('SELECT pg_current_wal_flush_lsn()::text AS lsn');
  const deadline = Date.now() + 15000;
  for (;;) {
    const r = await replica.query('SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS ok', [lsn]);
    if (r.rows[0].ok) return;
    assert.ok(Date.now() < deadline, `the replica did not reach ${lsn} in 15 s`);
    await sleep(50);
  }
}

async function pauseReplay() {
  await replica.query('SELECT pg_wal_replay_pause()');
  const deadline = Date.now() + 10000;
  while ((await replica.query('SELECT pg_get_wal_replay_pause_state() AS s')).rows[0].s !== 'paused') {
    assert.ok(Date.now() < deadline, 'replay did not pause');
    await sleep(20);
  }
}

/** The replica's clock, for replicaStatements(). */
async function replicaNow() {
  return (await replica.query('SELECT clock_timestamp()::text AS t')).rows[0].t;
}

/** The last statement of each of the programs' sessions on the replica
 * that started at or after `since` (replicaNow()). */
async function replicaStatements(since) {
  const r = await replica.query(
    "SELECT query FROM pg_stat_activity WHERE application_name = 'easychat' " +
    'AND pid <> pg_backend_pid() AND query_start >= $1::timestamptz', [since]);
  return r.rows.map((x) => x.query);
}

const older = (c, cursor, front = FRONTS[0]) =>
  c.get(`${front}/api/rooms/${room}/messages?before=${cursor}&limit=50`);

before(async () => {
  assert.equal(process.env.STACK_TOPOLOGY, 'multi', 'run with make test TOPOLOGY=multi');
  assert.equal(FRONTS.length, 2);
  replica = await replicaClient();
  owner = await newUser();
  member = await newUser();
  const res = await owner.post('/api/groups', { name: unique('replica'), is_public: true });
  assert.equal(res.status, 201, res.text);
  group = res.json.id;
  room = res.json.topics[0].rooms[0].id;
  assert.equal((await member.post(`/api/groups/${group}/join`)).status, 200);
  for (let i = 0; i < N; i++) {
    const p = await owner.post(`/api/rooms/${room}/messages`, { text: `replicated ${i}` });
    assert.equal(p.status, 201, p.text);
    ids.push(p.json.id);
  }
  await caughtUp();
});

after(async () => {
  if (replica) {
    await replica.query('SELECT pg_wal_replay_resume()').catch(() => {});
    await replica.end().catch(() => {});
  }
  await closeDb();
});

test('older pages come from the replica once it has caught up, else from the primary', async () => {
  // Replay running: the page before ids[20] is read on the replica,
  // through either front.
  const since = await replicaNow();
  for (const front of FRONTS) {
    const res = await older(member, ids[20], front);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json.items.map((m) => m.id), ids.slice(0, 20).reverse());
    assert.equal(res.json.has_more, false);
  }
  assert.ok((await replicaStatements(since)).some((q) => q.includes('m.id < $2')),
    'the rooms programs read older pages on the replica');
  await pauseReplay();
  try {
    // On the primary only: an old message edited, three new ones.
    const edit = await owner.patch(`/api/messages/${ids[5]}`, { text: 'edited on the primary' });
    assert.equal(edit.status, 200, edit.text);
    const fresh = [];
    for (let i = 0; i < 3; i++) {
      const p = await owner.post(`/api/rooms/${room}/messages`, { text: `after the pause ${i}` });
      assert.equal(p.status, 201, p.text);
      fresh.push(p.json.id);
    }
    const stale = await replica.query('SELECT text FROM messages WHERE id = $1', [ids[5]]);
    assert.equal(stale.rows[0].text, 'replicated 5', 'the replica should not have replayed the edit');
    // The replica is behind what the primary has committed: the reader
    // sees none of that lag, through either front.
    for (const front of FRONTS) {
      const res = await older(member, ids[20], front);
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.json.items.map((m) => m.id), ids.slice(0, 20).reverse());
      assert.equal(res.json.items.find((m) => m.id === ids[5]).text, 'edited on the primary');
      const past = await older(member, fresh[2], front);
      assert.equal(past.status, 200, past.text);
      assert.deepEqual(past.json.items.slice(0, 2).map((m) => m.id), [fresh[1], fresh[0]]);
    }
    const newest = await member.get(`/api/rooms/${room}/messages?limit=50`);
    assert.equal(newest.status, 200, newest.text);
    assert.deepEqual(newest.json.items.slice(0, 3).map((m) => m.id), [...fresh].reverse());
  } finally {
    await replica.query('SELECT pg_wal_replay_resume()');
  }
  await caughtUp();
  const since2 = await replicaNow();
  const res = await older(member, ids[20]);
  assert.equal(res.json.items.find((m) => m.id === ids[5]).text, 'edited on the primary');
  assert.ok((await replicaStatements(since2)).some((q) => q.includes('m.id < $2')),
    'the replica serves older pages again once it has caught up');
});

test('search reads the replica once it has caught up, and still finds what was just posted', async () => {
  // Random words: two words alike (one the other plus a letter) would
  // find each other's message through the typo tier.
  const word = `zq${randomBytes(6).toString('hex')}`;
  const p = await owner.post(`/api/rooms/${room}/messages`, { text: `needle ${word}` });
  assert.equal(p.status, 201, p.text);
  // The last statement of a search renders its page (ec_search_render); the
  // replica may miss the 50 ms wait on a loaded machine now and then,
  // so a few searches, of which one at least must be the replica's.
  const since = await replicaNow();
  let onReplica = false;
  for (let i = 0; i < 5 && !onReplica; i++) {
    const found = await member.get(`/api/search/messages?q=${word}`);
    assert.equal(found.status, 200, found.text);
    assert.deepEqual(found.json.items.map((m) => m.id), [p.json.id]);
    onReplica = (await replicaStatements(since)).some((q) => q.includes('ec_search_render('));
  }
  assert.ok(onReplica, 'the search programs read the replica');
  // Replay paused: the search waits briefly, then the primary answers,
  // so a message posted just now is still found.
  await pauseReplay();
  try {
    const word2 = `xj${randomBytes(6).toString('hex')}`;
    const p2 = await owner.post(`/api/rooms/${room}/messages`, { text: `needle ${word2}` });
    assert.equal(p2.status, 201, p2.text);
    const found2 = await member.get(`/api/search/messages?q=${word2}`);
    assert.equal(found2.status, 200, found2.text);
    assert.deepEqual(found2.json.items.map((m) => m.id), [p2.json.id]);
  } finally {
    await replica.query('SELECT pg_wal_replay_resume()');
  }
  await caughtUp();
});

/** Lines of the programs' logs (both fronts) written after `marks`. */
function logFiles() {
  const dirs = [path.join(env.varDir, 'log'), path.join(env.varDir, 'front-2', 'log')];
  return dirs.flatMap((d) => (fs.existsSync(d) ? fs.readdirSync(d) : [])
    .filter((f) => f.endsWith('.log')).map((f) => path.join(d, f)));
}
function logMarks() {
  return new Map(logFiles().map((f) => [f, fs.statSync(f).size]));
}
function logSince(marks) {
  return logFiles().flatMap((f) => {
    const buf = fs.readFileSync(f);
    return buf.subarray(marks.get(f) || 0).toString('utf8').split('\n');
  });
}

test('a stopped replica: older pages and search from the primary, one log line per process, then back', { timeout: 120000 }, async () => {
  const marks = logMarks();
  stack('pg-replica-stop');
  let restarted = false;
  try {
    const expected = ids.slice(0, 20).reverse();
    for (let i = 0; i < 12; i++) {
      const res = await older(member, ids[20], FRONTS[i % 2]);
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.json.items.map((m) => m.id), expected);
      const s = await member.get(`${FRONTS[i % 2]}/api/search/messages?q=replicated`);
      assert.equal(s.status, 200, s.text);
      assert.ok(s.json.items.length > 0);
    }
    const lines = logSince(marks).filter((l) => l.includes('read replica failed'));
    assert.ok(lines.length > 0, 'the programs said the replica failed');
    const perPid = new Map();
    for (const l of lines) {
      const pid = /\[(\d+)\]/.exec(l)[1];
      perPid.set(pid, (perPid.get(pid) || 0) + 1);
    }
    assert.ok([...perPid.values()].every((n) => n === 1),
      `logged more than once by a process: ${lines.join('\n')}`);
    stack('pg-replica-start');
    restarted = true;
    replica = await replicaClient();
    await caughtUp();
    // Within the retry interval (5 s) the programs read there again, and
    // a process that took the replica for down says it is back. Both
    // are awaited: a process that had no request while the replica was
    // down reconnects at once without either line, so the first read
    // on the replica can come before the retry interval of those that
    // logged the failure has passed (a merged run with 8 rooms
    // processes per front).
    const since = await replicaNow();
    const deadline = Date.now() + 30000;
    for (;;) {
      for (const front of FRONTS) assert.equal((await older(member, ids[20], front)).status, 200);
      if ((await replicaStatements(since)).some((q) => q.includes('m.id < $2'))
        && logSince(marks).some((l) => l.includes('read replica is back'))) break;
      assert.ok(Date.now() < deadline, 'reads did not go back to the replica, said so in the log, in 30 s');
      await sleep(500);
    }
  } finally {
    if (!restarted) {
      stack('pg-replica-start');
      replica = await replicaClient();
    }
  }
});

test('a replica restarted between two reads: the next read reconnects at once', { timeout: 120000 }, async () => {
  // Every program process holds a session on the replica by now.
  for (let i = 0; i < 8; i++) assert.equal((await older(member, ids[20], FRONTS[i % 2])).status, 200);
  stack('pg-replica-stop');
  stack('pg-replica-start');
  replica = await replicaClient();
  await caughtUp();
  const marks = logMarks();
  const since = await replicaNow();
  for (let i = 0; i < 8; i++) {
    const res = await older(member, ids[20], FRONTS[i % 2]);
    assert.equal(res.status, 200, res.text);
  }
  const failed = logSince(marks).filter((l) => l.includes('read replica failed'));
  assert.deepEqual(failed, [], 'a dropped session is remade, not taken for a replica that is down');
  assert.ok((await replicaStatements(since)).some((q) => q.includes('m.id < $2')));
});

test('a kicked member cannot read older pages, though the lagging replica still lists them', async () => {
  await pauseReplay();
  try {
    assert.equal((await older(member, ids[20])).status, 200);
    const kick = await owner.del(`/api/groups/${group}/members/${member.user.id}`);
    assert.ok([200, 204].includes(kick.status), kick.text);
    const still = await replica.query('SELECT 1 FROM group_members WHERE group_id = $1 AND user_id = $2',
      [group, member.user.id]);
    assert.equal(still.rows.length, 1, 'the replica should not have replayed the kick yet');
    for (const front of FRONTS) assertError(assert, await older(member, ids[20], front), 404);
    const s = await member.get(`/api/search/messages?q=replicated&room_id=${room}`);
    assert.equal(s.status, 200, s.text);
    assert.deepEqual(s.json.items, []);
  } finally {
    await replica.query('SELECT pg_wal_replay_resume()');
  }
});
