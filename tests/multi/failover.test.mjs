// failover.test.mjs - the multi-host topology (make test TOPOLOGY=multi,
// conf/stack-multi.sh) under faults: while two writers post through the two
// fronts and four followers listen on the three relays (directly, and
// through the second front's /ws), the Redis primary is SIGKILLed (a
// sentinel promotes the replica), the old node comes back as a replica,
// and the PostgreSQL replica is restarted.  Then: every accepted post is in
// the primary exactly once and on the replica (streaming resumed); every
// follower, merging live events and its after= catch-ups by id as the SPA
// does, holds exactly the room's messages; and the relays are subscribed
// on the new primary and the programs publish there (a last post arrives
// live, through Redis, everywhere).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import path from 'node:path';
import pg from 'pg';
import { createClient } from 'redis';
import { REPO, env, newUser, unique } from '../lib/api.mjs';
import { connect } from '../lib/ws.mjs';
import { closeDb, sql } from '../lib/db.mjs';

after(closeDb);

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const FRONTS = (process.env.FRONT_URLS || '').split(',').filter(Boolean);
const RELAYS = (process.env.RELAY_URLS || '').split(',').filter(Boolean);
const POST_EVERY_MS = 100; // per writer
const GIVE_UP_MS = 20000; // a post is retried with its nonce this long

const counts = { posts: 0, attempts: 0, retries: 0, liveEvents: 0, liveDuplicates: 0, resyncs: 0, caughtUp: 0 };
const violations = [];
const faults = [];

function stackAsync(cmd, ...args) {
  return new Promise((resolve, reject) => {
    execFile(path.join(REPO, 'conf/stack.sh'), [cmd, env.varDir, ...args.map(String)],
      { encoding: 'utf8', timeout: 120000 }, (err, stdout, stderr) => {
        if (err) reject(new Error(`stack.sh ${cmd}: ${err.message} ${stderr}`));
        else resolve(stdout.trim());
      });
  });
}

/** A request that never throws: a network error is { status: 0 }. */
async function call(c, method, url, json) {
  try {
    return await c.req(method, url, json);
  } catch (e) {
    return { status: 0, error: e };
  }
}

async function redisAt(port) {
  const c = createClient({ socket: { host: '127.0.0.1', port: Number(port), reconnectStrategy: false },
    password: process.env.REDIS_PASSWORD || undefined });
  c.on('error', () => {});
  await c.connect();
  return c;
}

/** ROLE of the node on port, or null when it does not answer. */
async function roleOf(port) {
  let c;
  try {
    c = await redisAt(port);
    return await c.sendCommand(['ROLE']);
  } catch {
    return null;
  } finally {
    if (c) await c.quit().catch(() => {});
  }
}

async function replicaIds(room) {
  const c = new pg.Client({ host: '127.0.0.1', port: Number(process.env.PG_REPLICA_PORT),
    database: process.env.DB_NAME, user: process.env.DB_USER, password: process.env.DB_PASSWORD });
  await c.connect();
  try {
    const r = await c.query('SELECT id FROM messages WHERE room_id = $1 AND deleted_at IS NULL', [room]);
    return new Set(r.rows.map((x) => Number(x.id)));
  } finally {
    await c.end().catch(() => {});
  }
}

/** One writer through one front: a post every POST_EVERY_MS, each retried
 * with its nonce until answered 201/200 or GIVE_UP_MS passed. */
async function writer(c, front, room, i, state, acked) {
  for (let n = 0; !state.stop; n++) {
    const nonce = `multi-${i}-${n}-${randomBytes(4).toString('hex')}`;
    const text = `writer ${i} post ${n}`;
    const start = Date.now();
    for (;;) {
      counts.attempts++;
      const res = await call(c, 'POST', `${front}/api/rooms/${room}/messages`, { text, nonce });
      if (res.status === 201 || res.status === 200) {
        acked.push({ id: res.json.id, nonce, sender: c.user.id });
        counts.posts++;
        break;
      }
      if (res.status !== 0 && res.status < 500 && res.status !== 429) {
        violations.push(`post ${nonce} via ${front}: unexpected ${res.status} ${res.text}`);
        break;
      }
      if (Date.now() - start > GIVE_UP_MS) {
        violations.push(`post ${nonce} via ${front}: no answer in ${GIVE_UP_MS} ms (last ${res.status})`);
        break;
      }
      counts.retries++;
      await sleep(100);
    }
    await sleep(POST_EVERY_MS);
  }
}

/**
 * A follower on one websocket URL that behaves like the SPA: records the
 * ids of message.created live (counting a second live delivery of an id
 * on the same connection), and after a `resync` (or a reconnect) fetches
 * after= the newest id held when it arrived, through `front`.
 */
function follower(name, c, front, wsUrl, room, state) {
  const f = { name, ids: new Set(), newest: 0, from: null, opened: 0, resyncs: 0, live: [] };
  const catchUp = async () => {
    let after = f.from === null ? f.newest : f.from;
    f.from = null;
    for (;;) {
      const res = await call(c, 'GET', `${front}/api/rooms/${room}/messages?after=${after}&limit=100`);
      if (res.status !== 200) {
        f.from = f.from === null ? after : Math.min(f.from, after);
        return false;
      }
      for (const m of res.json.items) {
        f.ids.add(m.id);
        f.newest = Math.max(f.newest, m.id);
        after = Math.max(after, m.id);
        counts.caughtUp++;
      }
      if (!res.json.has_more) return true;
    }
  };
  f.catchUp = async () => {
    while (!(await catchUp())) {
      if (state.final) return;
      await sleep(200);
    }
  };
  f.done = (async () => {
    while (!state.final) {
      let w;
      try {
        w = await connect({ url: wsUrl, cookie: c.cookieHeader() });
      } catch {
        await sleep(200);
        continue;
      }
      f.opened++;
      w.ws.on('error', () => {});
      const seen = new Set(); // ids delivered live on this connection
      let resync = false;
      w.ws.on('message', (data) => {
        let ev;
        try { ev = JSON.parse(data.toString()); } catch { return; }
        if (ev.type === 'message.created' && ev.message.room_id === room) {
          counts.liveEvents++;
          if (seen.has(ev.message.id)) counts.liveDuplicates++;
          seen.add(ev.message.id);
          f.live.push(ev.message.id);
          f.ids.add(ev.message.id);
          f.newest = Math.max(f.newest, ev.message.id);
        } else if (ev.type === 'resync') {
          resync = true;
          f.resyncs++;
          counts.resyncs++;
          f.from = f.from === null ? f.newest : Math.min(f.from, f.newest);
        }
      });
      await f.catchUp();
      const closed = w.closed.then(() => 'closed');
      while (!state.final) {
        const r = await Promise.race([closed, sleep(100)]);
        if (r === 'closed') break;
        if (resync) {
          resync = false;
          await f.catchUp();
        }
      }
      if (state.final) w.ws.terminate();
    }
  })();
  return f;
}

test('multi: Redis primary SIGKILL (sentinel failover) and PostgreSQL replica restart under load', { timeout: 180000 }, async () => {
  assert.equal(process.env.STACK_TOPOLOGY, 'multi', 'run with make test TOPOLOGY=multi');
  assert.equal(FRONTS.length, 2);
  assert.equal(RELAYS.length, 3);
  const t0 = Date.now();
  const owner = await newUser();
  const res = await owner.post('/api/groups', { name: unique('multi'), is_public: false });
  assert.equal(res.status, 201, res.text);
  const g = { id: res.json.id, room: res.json.topics[0].rooms[0].id };
  const users = [];
  for (let i = 0; i < 6; i++) users.push(await newUser());
  const inv = await owner.post(`/api/groups/${g.id}/invites`, {});
  assert.equal(inv.status, 201, inv.text);
  for (const u of users) {
    const r = await u.post(`/api/invites/${inv.json.code}/accept`);
    assert.equal(r.status, 200, r.text);
  }
  const [w0, w1, ...readers] = users;
  const front2Ws = FRONTS[1].replace(/^http/, 'ws') + '/ws';
  const state = { stop: false, final: false };
  const acked = [];
  const fs = [
    follower('relay 0', readers[0], FRONTS[0], RELAYS[0], g.room, state),
    follower('relay 1', readers[1], FRONTS[1], RELAYS[1], g.room, state),
    follower('relay 2', readers[2], FRONTS[0], RELAYS[2], g.room, state),
    follower('front 2 /ws', readers[3], FRONTS[1], front2Ws, g.room, state),
  ];
  await sleep(1000);
  const ws = [writer(w0, FRONTS[0], g.room, 0, state, acked), writer(w1, FRONTS[1], g.room, 1, state, acked)];

  try {
    await faultsAndChecks();
  } finally {
    state.stop = true;
    state.final = true;
  }

  async function faultsAndChecks() {
    const fault = async (what, fn) => {
      const at = Date.now();
      await fn();
      faults.push(`${what} at +${((at - t0) / 1000).toFixed(1)}s (${Date.now() - at} ms)`);
    };
    await sleep(1500);
    const oldPrimary = await stackAsync('redis-primary');
    const nodes = { [process.env.REDIS_PORT]: 'main', [process.env.REDIS_REPLICA_PORT]: 'replica' };
    assert.ok(nodes[oldPrimary], `sentinels name ${oldPrimary}, not one of the stack's nodes`);
    let newPrimary = oldPrimary;
    await fault('Redis primary SIGKILL until a sentinel names the replica', async () => {
      await stackAsync('redis-kill-primary');
      const deadline = Date.now() + 30000;
      while (newPrimary === oldPrimary && Date.now() < deadline) {
        await sleep(200);
        newPrimary = await stackAsync('redis-primary').catch(() => oldPrimary);
      }
    });
    assert.notEqual(newPrimary, oldPrimary, 'no failover within 30 s');
    await sleep(2000);
    await fault('old Redis primary back (a replica now)', async () => {
      await stackAsync('redis-node-start', nodes[oldPrimary]);
      // The sentinels reconfigure it (and drop its clients): a new
      // connection for each look.
      const deadline = Date.now() + 30000;
      let role = null;
      while (Date.now() < deadline) {
        role = await roleOf(oldPrimary);
        if (role && role[0] === 'slave' && String(role[2]) === newPrimary && role[3] === 'connected') break;
        await sleep(200);
      }
      assert.ok(role && role[0] === 'slave' && role[3] === 'connected',
        `old primary not a connected replica of ${newPrimary}: ${JSON.stringify(role)}`);
    });
    await sleep(1500);
    await fault('PostgreSQL replica restart', async () => {
      await stackAsync('pg-replica-stop');
      await sleep(1500);
      await stackAsync('pg-replica-start');
    });
    await sleep(2000);

    state.stop = true;
    await Promise.all(ws);
    await sleep(1500);
    for (const f of fs) await f.catchUp();

    // Settled: a last post must reach every follower live, and through
    // Redis: the relays are subscribed on the new primary and the program
    // published there (not through the PostgreSQL NOTIFY fallback).
    const primary = await redisAt(newPrimary);
    let lastId;
    try {
      const numsub = await primary.sendCommand(['PUBSUB', 'NUMSUB', `group:${g.id}`]);
      assert.equal(Number(numsub[1]), RELAYS.length, `relays subscribed to group:${g.id} on the new primary`);
      const before = await primary.info('commandstats');
      const last = await w0.post(`${FRONTS[1]}/api/rooms/${g.room}/messages`, { text: 'after the faults' });
      assert.equal(last.status, 201, last.text);
      lastId = last.json.id;
      const after2 = await primary.info('commandstats');
      const calls = (s) => Number((/cmdstat_publish:calls=(\d+)/.exec(s) || [0, 0])[1]);
      assert.ok(calls(after2) > calls(before), 'the post was published on the new primary');
    } finally {
      await primary.quit().catch(() => {});
    }
    const deadline = Date.now() + 5000;
    for (const f of fs) {
      while (!f.live.includes(lastId) && Date.now() < deadline) await sleep(50);
      if (!f.live.includes(lastId)) violations.push(`${f.name}: the last post ${lastId} did not arrive live`);
    }
    state.final = true;
    await Promise.all(fs.map((f) => f.done));

    // Committed = on the primary, each acknowledged post exactly once.
    const rows = await sql('SELECT id, sender_id, nonce FROM messages WHERE room_id = $1 AND deleted_at IS NULL',
      [g.room]);
    const byNonce = new Map();
    for (const r of rows) {
      if (r.nonce === null) continue;
      const k = `${r.sender_id}/${r.nonce}`;
      byNonce.set(k, (byNonce.get(k) || 0) + 1);
    }
    for (const a of acked) {
      const n = byNonce.get(`${a.sender}/${a.nonce}`) || 0;
      if (n !== 1) violations.push(`acknowledged post ${a.nonce} (${a.id}) is in the database ${n} times`);
    }
    const dbIds = new Set(rows.map((r) => Number(r.id)));
    for (const f of fs) {
      const missing = [...dbIds].filter((id) => !f.ids.has(id));
      const extra = [...f.ids].filter((id) => !dbIds.has(id));
      if (missing.length || extra.length) {
        violations.push(`${f.name}: missing ${missing.length} (${missing.slice(0, 10)}), extra ${extra.length} ` +
          `(${extra.slice(0, 10)}) of ${dbIds.size}; ${f.opened} connections, ${f.resyncs} resyncs`);
      }
    }
    // ... and streamed to the restarted replica.
    let rep = new Set();
    const repDeadline = Date.now() + 15000;
    while (Date.now() < repDeadline) {
      rep = await replicaIds(g.room).catch(() => new Set());
      if ([...dbIds].every((id) => rep.has(id))) break;
      await sleep(200);
    }
    const notOnReplica = [...dbIds].filter((id) => !rep.has(id));
    if (notOnReplica.length) violations.push(`${notOnReplica.length} messages never reached the replica`);

    console.log(`multi: ${JSON.stringify({ ...counts, messagesInDb: rows.length, oldPrimary, newPrimary,
      seconds: Math.round((Date.now() - t0) / 1000) })}`);
    console.log(`multi faults: ${faults.join('; ')}`);
    assert.ok(counts.posts > 50, `too few posts to mean anything: ${counts.posts}`);
    assert.deepEqual(violations, []);
  }
});
