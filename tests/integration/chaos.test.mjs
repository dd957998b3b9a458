// chaos.test.mjs - faults under steady load (issue 11): while writers post
// with nonce retries and readers follow over websockets and catch up with
// after=, the relay is SIGKILLed, Redis restarted, Redis writes paused for
// 3 s and PostgreSQL restarted; a member is kicked and a session signed out
// in the middle of it.  Then: every acknowledged post is in the database
// exactly once, every reader saw exactly the database's messages, the
// kicked member got nothing posted after the kick, the signed-out session
// could do nothing after its sign-out, and every 5xx had the JSON error
// body and X-Request-Id.  Prints its counts (posts, retries, 5xx, events).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { REPO, env, newUser, raw, unique } from '../lib/api.mjs';
import { connect } from '../lib/ws.mjs';
import { closeDb, redis, sql } from '../lib/db.mjs';

after(closeDb);

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const WRITERS = 3;
const READERS = 2;
const POST_EVERY_MS = 120; // per writer
const GIVE_UP_MS = 20000; // a post is retried this long, then counted lost

const counts = { posts: 0, attempts: 0, retries: 0, status5xx: 0, networkErrors: 0,
  status429: 0, lostPosts: 0, events: 0, caughtUp: 0, reconnects: 0 };
const violations = [];
const faults = [];

/** conf/stack.sh CMD VARDIR ARGS without blocking the event loop (the
 * writers and readers keep going while a service restarts). */
function stackAsync(cmd, ...args) {
  return new Promise((resolve, reject) => {
    execFile(path.join(REPO, 'conf/stack.sh'), [cmd, env.varDir, ...args.map(String)],
      { encoding: 'utf8', timeout: 120000 }, (err, stdout, stderr) => {
        if (err) reject(new Error(`stack.sh ${cmd}: ${err.message} ${stderr}`));
        else resolve(stdout);
      });
  });
}

/** Every 5xx must carry X-Request-Id and the API.md error body. */
function check5xx(res, what) {
  if (res.status < 500) return;
  counts.status5xx++;
  const body = res.json;
  if (!res.headers['x-request-id'] || !body || typeof body.error !== 'object' ||
      typeof body.error.code !== 'string' || typeof body.error.message !== 'string') {
    violations.push(`${what}: ${res.status} without JSON error body or X-Request-Id: ` +
      `${JSON.stringify(res.headers)} ${res.text.slice(0, 200)}`);
  }
}

/** A request through a client that never throws: network errors and
 * timeouts become { status: 0 }. */
async function call(c, method, p, json, extra) {
  try {
    const res = await c.req(method, p, json, { ...extra });
    check5xx(res, `${method} ${p}`);
    return res;
  } catch (e) {
    counts.networkErrors++;
    return { status: 0, error: e };
  }
}

/** Repeats an idempotent request until it answers below 500 (0 = network). */
async function until2xx(c, method, p, json, deadline) {
  for (;;) {
    const res = await call(c, method, p, json);
    if (res.status >= 200 && res.status < 500 && res.status !== 429) return res;
    if (Date.now() > deadline) return res;
    counts.retries++;
    await sleep(150);
  }
}

async function makePrivateGroup(owner) {
  const res = await owner.post('/api/groups', { name: unique('chaos'), is_public: false });
  assert.equal(res.status, 201, res.text);
  return { id: res.json.id, room: res.json.topics[0].rooms[0].id };
}

async function join(owner, g, users) {
  const inv = await owner.post(`/api/groups/${g.id}/invites`, {});
  assert.equal(inv.status, 201, inv.text);
  for (const u of users) {
    const res = await u.post(`/api/invites/${inv.json.code}/accept`);
    assert.equal(res.status, 200, res.text);
  }
}

/** One writer: a post every POST_EVERY_MS, each retried with its nonce
 * until it is answered 2xx or GIVE_UP_MS passed. */
async function writer(c, room, i, state, acked) {
  let n = 0;
  while (!state.stop) {
    const nonce = `chaos-${i}-${n}-${randomBytes(4).toString('hex')}`;
    const text = `writer ${i} post ${n}`;
    const start = Date.now();
    n++;
    for (;;) {
      counts.attempts++;
      const res = await call(c, 'POST', `/api/rooms/${room}/messages`, { text, nonce });
      if (res.status === 201 || res.status === 200) {
        if (res.json.nonce !== nonce || res.json.text !== text) {
          violations.push(`retry of ${nonce} answered another message: ${res.text}`);
        }
        acked.push({ id: res.json.id, nonce, text, sender: c.user.id });
        counts.posts++;
        break;
      }
      if (res.status === 429) counts.status429++;
      if (res.status !== 0 && res.status < 500 && res.status !== 429) {
        violations.push(`post ${nonce}: unexpected ${res.status} ${res.text}`);
        break;
      }
      if (Date.now() - start > GIVE_UP_MS) {
        counts.lostPosts++;
        break;
      }
      counts.retries++;
      await sleep(res.status === 429 ? 500 : 100);
    }
    await sleep(POST_EVERY_MS);
  }
}

/**
 * A websocket follower that behaves like the SPA: on every message.created
 * of the room it records the id; when the socket closes it reconnects; after
 * a reconnect or a `resync` it fetches after= its newest id.  `onEvent`
 * sees every event (for the kicked and signed-out checks).
 */
function follower(name, c, room, state, { cookie, onEvent, onOpen } = {}) {
  // `from`: where the next catch-up starts.  A `resync` means events were
  // lost from that moment on, so the cursor is the newest id held when it
  // arrived, not whatever later events came live before the catch-up ran.
  const f = { name, ids: new Set(), newest: 0, from: null, socket: null, opened: 0, resyncs: 0, done: null };
  const catchUp = async () => {
    let after = f.from === null ? f.newest : f.from;
    f.from = null;
    for (;;) {
      const res = await call(c, 'GET', `/api/rooms/${room}/messages?after=${after}&limit=100`,
        undefined, cookie ? { headers: { Cookie: cookie() } } : undefined);
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
        w = await connect({ cookie: cookie ? cookie() : c.cookieHeader() });
      } catch (e) {
        if (onOpen) onOpen(e.status || 0);
        await sleep(200);
        continue;
      }
      if (onOpen) onOpen(101);
      f.socket = w;
      w.ws.on('error', () => {}); // a killed relay: 'close' follows
      if (f.opened++ > 0) counts.reconnects++;
      let resync = false;
      w.ws.on('message', (data) => {
        let ev;
        try { ev = JSON.parse(data.toString()); } catch { return; }
        counts.events++;
        if (onEvent) onEvent(ev);
        if (ev.type === 'message.created' && ev.message.room_id === room) {
          f.ids.add(ev.message.id);
          f.newest = Math.max(f.newest, ev.message.id);
        } else if (ev.type === 'resync') {
          resync = true;
          f.resyncs++;
          f.from = f.from === null ? f.newest : Math.min(f.from, f.newest);
        }
      });
      // Caught up after (re)connecting: what was posted while away.
      if (!onEvent) await f.catchUp();
      const closed = w.closed.then(() => 'closed');
      while (!state.final) {
        const r = await Promise.race([closed, sleep(100)]);
        if (r === 'closed') break;
        if (resync && !onEvent) {
          resync = false;
          await f.catchUp();
        }
      }
      if (state.final) w.ws.terminate();
      await sleep(100);
    }
  })();
  return f;
}

test('chaos: relay SIGKILL, Redis restart and pause, PostgreSQL restart under load', { timeout: 120000 }, async () => {
  const t0 = Date.now();
  const owner = await newUser();
  const g = await makePrivateGroup(owner);
  const writers = [];
  for (let i = 0; i < WRITERS; i++) writers.push(await newUser());
  const readers = [];
  for (let i = 0; i < READERS; i++) readers.push(await newUser());
  const kicked = await newUser();
  const revoked = await newUser();
  await join(owner, g, [...writers, ...readers, kicked, revoked]);

  const state = { stop: false, final: false };
  const acked = [];

  // The kicked member: after the kick, nothing newer than the newest
  // message at the time of the kick may reach it.
  let kickedAfter = Infinity;
  const kickedGot = [];
  const kf = follower('kicked', kicked, g.room, state, {
    onEvent: (ev) => {
      if (ev.type === 'message.created' && ev.message.room_id === g.room &&
          ev.message.id > kickedAfter) kickedGot.push(ev.message.id);
    },
  });

  // The signed-out session keeps its old access cookie: after the
  // sign-out it must not post, open a websocket or receive new messages.
  const accessName = [...revoked.cookies.keys()].find((k) => k !== 'refresh');
  const oldAccess = `${accessName}=${revoked.cookies.get(accessName)}`;
  let revokedAt = Infinity;
  let revokedNewest = Infinity;
  const revokedActs = [];
  const vf = follower('revoked', revoked, g.room, state, {
    cookie: () => oldAccess,
    onEvent: (ev) => {
      if (ev.type === 'message.created' && ev.message.room_id === g.room &&
          ev.message.id > revokedNewest) revokedActs.push(`received message ${ev.message.id}`);
    },
    onOpen: (status) => {
      if (status === 101 && Date.now() > revokedAt) revokedActs.push('opened a websocket');
    },
  });
  const prober = (async () => {
    let n = 0;
    // Stops with the writers: its posts (if any got through) are messages
    // the readers must see too.
    while (!state.stop) {
      await sleep(300);
      if (revokedAt === Infinity) continue;
      const res = await call(revoked, 'POST', `/api/rooms/${g.room}/messages`,
        { text: `after sign-out ${n++}` }, { headers: { Cookie: oldAccess } });
      if (res.status >= 200 && res.status < 300) revokedActs.push(`posted ${res.json.id}`);
    }
  })();

  const rf = readers.map((r, i) => follower(`reader ${i}`, r, g.room, state));
  await sleep(1000);
  const ws = writers.map((w, i) => writer(w, g.room, i, state, acked));

  const fault = async (what, fn) => {
    const at = Date.now();
    await fn();
    faults.push(`${what} at +${((at - t0) / 1000).toFixed(1)}s (${Date.now() - at} ms)`);
  };
  await sleep(1500);
  await fault('relay SIGKILL', () => stackAsync('relay-kill', 0, 'KILL'));
  await sleep(1500);
  await fault('relay start', () => stackAsync('relay-start', 0));
  await sleep(1500);

  await fault('sign-out', async () => {
    const res = await until2xx(revoked, 'POST', '/api/auth/logout', {}, Date.now() + 15000);
    assert.equal(res.status, 204, `logout: ${res.status} ${res.text}`);
    revokedAt = Date.now();
    revokedNewest = Number((await sql('SELECT coalesce(max(id), 0) AS m FROM messages WHERE room_id = $1',
      [g.room]))[0].m);
  });
  await sleep(1500);

  await fault('Redis restart', async () => {
    await stackAsync('redis-stop');
    await sleep(1000);
    await stackAsync('redis-start');
  });
  await sleep(2000);

  await fault('Redis CLIENT PAUSE 3000 WRITE + kick', async () => {
    const rds = await redis();
    try {
      await rds.sendCommand(['CLIENT', 'PAUSE', '3000', 'WRITE']);
    } finally {
      await rds.quit().catch(() => {});
    }
    await sleep(500);
    const res = await until2xx(owner, 'DELETE', `/api/groups/${g.id}/members/${kicked.user.id}`,
      undefined, Date.now() + 15000);
    assert.equal(res.status, 204, `kick: ${res.status} ${res.text}`);
    kickedAfter = Number((await sql('SELECT coalesce(max(id), 0) AS m FROM messages WHERE room_id = $1',
      [g.room]))[0].m);
  });
  await sleep(2000);

  await fault('PostgreSQL restart', async () => {
    await stackAsync('pg-stop');
    await sleep(1500);
    await stackAsync('pg-start');
  });
  await sleep(2000);

  state.stop = true;
  await Promise.all([...ws, prober]);
  // Let the last events arrive, then one last catch-up each.
  await sleep(1500);
  for (const f of rf) await f.catchUp();
  state.final = true;
  await Promise.all([...rf.map((f) => f.done), kf.done, vf.done]);

  // Every acknowledged post exactly once; no nonce twice.
  const rows = await sql('SELECT id, sender_id, nonce, text FROM messages WHERE room_id = $1 AND deleted_at IS NULL',
    [g.room]);
  const byNonce = new Map();
  for (const r of rows) {
    if (r.nonce === null) continue;
    const k = `${r.sender_id}/${r.nonce}`;
    byNonce.set(k, [...(byNonce.get(k) || []), r]);
  }
  for (const a of acked) {
    const got = byNonce.get(`${a.sender}/${a.nonce}`) || [];
    if (got.length !== 1 || Number(got[0].id) !== a.id || got[0].text !== a.text) {
      violations.push(`acknowledged post ${a.nonce} (${a.id}) is in the database ${got.length} times`);
    }
  }
  const dbIds = new Set(rows.map((r) => Number(r.id)));
  for (const f of rf) {
    const missing = [...dbIds].filter((id) => !f.ids.has(id));
    const extra = [...f.ids].filter((id) => !dbIds.has(id));
    if (missing.length || extra.length) {
      violations.push(`${f.name}: missing ${missing.length} (${missing.slice(0, 10)}), ` +
        `extra ${extra.length} (${extra.slice(0, 10)}) of ${dbIds.size}; ` +
        `${f.opened} connections, ${f.resyncs} resyncs`);
    }
  }
  if (kickedGot.length) {
    violations.push(`kicked member received ${kickedGot.length} messages posted after the kick: ${kickedGot.slice(0, 10)}`);
  }
  if (revokedActs.length) {
    violations.push(`signed-out session acted ${revokedActs.length} times: ${revokedActs.slice(0, 10)}`);
  }

  console.log(`chaos: ${JSON.stringify({ ...counts, messagesInDb: rows.length,
    seconds: Math.round((Date.now() - t0) / 1000) })}`);
  console.log(`chaos faults: ${faults.join('; ')}`);
  assert.ok(counts.posts > 50, `too few posts to mean anything: ${counts.posts}`);
  assert.deepEqual(violations, []);
});
