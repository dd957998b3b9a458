// relay.test.mjs - the websocket relay (relay/PROTOCOL.md, relay/protocol.yaml,
// relay/PROTOCOL.md) against the real stack: through lighttpd's /ws and
// directly at the relays. Handshake refusals, hello, fan-out of the groups
// and rooms programs' events, membership, typing, presence, bad frames,
// two relays, a stalled reader, PostgreSQL and Redis outages and a
// kill -9 of the relay with REST catch-up.
//
// The destructive tests (outages, kill -9) run last, in file order.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { newUser, unique, stack, sleep, env } from '../lib/api.mjs';
import { connect } from '../lib/ws.mjs';
import { sql, redis, subscribe, closeDb } from '../lib/db.mjs';

const RELAYS = (process.env.RELAY_URLS || '').split(',').filter(Boolean);
const METRICS = (process.env.RELAY_METRICS_URLS || '').split(',').filter(Boolean);
const open = [];
let rds;
let spareStarted = false;

/** ws://host:port+i/ws for relay i (a spare relay uses the next ports). */
function relayUrl(i) {
  const u = new URL(RELAYS[0]);
  u.port = String(Number(u.port) + i);
  return u.toString();
}
function metricsUrl(i) {
  const u = new URL(METRICS[0]);
  u.port = String(Number(u.port) + i);
  return u.toString();
}

async function metrics(i = 0) {
  const res = await fetch(metricsUrl(i));
  assert.equal(res.status, 200);
  const out = {};
  for (const line of (await res.text()).split('\n')) {
    const m = /^(easychat_relay_[a-z_]+(?:\{[^}]*\})?) (\d+)$/.exec(line);
    if (m) out[m[1]] = Number(m[2]);
  }
  return out;
}

async function ws(c, opts = {}) {
  const w = await connect({ cookie: c.cookieHeader(), ...opts });
  open.push(w);
  const hello = await w.next((e) => e.type === 'hello', 3000);
  assert.equal(hello.user_id, c.user.id);
  return w;
}

async function refused(opts) {
  try {
    const w = await connect(opts);
    open.push(w);
  } catch (e) {
    return e.status;
  }
  return 101;
}

/** A group made through the groups program: { id, room }. */
async function makeGroup(owner, isPublic = true) {
  const name = unique('g');
  const res = await retry503(() => owner.post('/api/groups', { name, is_public: isPublic }));
  assert.equal(res.status, 201, res.text);
  return { id: res.json.id, room: res.json.topics[0].rooms[0].id };
}

async function join(c, g) {
  const res = await retry503(() => c.post(`/api/groups/${g.id}/join`));
  assert.equal(res.status, 200, res.text);
}

/* After a Redis restart each FastCGI process answers one 503 before its
 * lazy connection is made again (common/rds.c): retry those. */
async function retry503(f) {
  let res;
  for (let i = 0; i < 6; i++) {
    res = await f();
    if (res.status !== 503) break;
    await sleep(100);
  }
  return res;
}

async function postMessage(c, room, text) {
  // A nonce makes the retry safe.
  const nonce = randomBytes(8).toString('hex');
  const res = await retry503(() => c.post(`/api/rooms/${room}/messages`, { text, nonce }));
  assert.ok(res.status === 201 || res.status === 200, res.text);
  return res.json;
}

/** Resolves once nothing matching arrived for `ms` (after the fact check). */
function none(w, pred) {
  return w.events.filter((e) => pred(e));
}

function jwtKey() {
  const text = fs.readFileSync(process.env.EASYCHAT_ENV, 'utf8');
  let key;
  for (const line of text.split('\n')) {
    const m = /^JWT_SIGNING_KEY=(.*)$/.exec(line);
    if (m) key = m[1];
  }
  return key;
}

function resign(token, patch) {
  const [h, p] = token.split('.');
  const claims = { ...JSON.parse(Buffer.from(p, 'base64url')), ...patch };
  const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
  const sig = createHmac('sha256', jwtKey()).update(`${h}.${body}`).digest('base64url');
  return `${h}.${body}.${sig}`;
}

before(async () => {
  rds = await redis();
});

after(async () => {
  for (const w of open) { try { w.ws.terminate(); } catch { /* closed */ } }
  if (spareStarted) { try { stack('relay-kill', 1, 'TERM'); } catch { /* gone */ } }
  if (rds) await rds.quit().catch(() => {});
  await closeDb();
});

test('handshake refusals are HTTP statuses, never an upgrade', async () => {
  const a = await newUser();
  const cookie = a.cookieHeader();
  const token = a.cookies.get('access');
  for (const url of [env.wsUrl, RELAYS[0]]) {
    assert.equal(await refused({ url }), 401, 'no credentials');
    assert.equal(await refused({ url, origin: null }), 401, 'nothing at all');
    assert.equal(await refused({ url, cookie: `access=${token.slice(0, -3)}abc` }), 401, 'bad signature');
    assert.equal(await refused({ url, cookie: 'access=garbage' }), 401, 'garbage token');
    const expired = resign(token, { exp: Math.floor(Date.now() / 1000) - 10 });
    assert.equal(await refused({ url, cookie: `access=${expired}` }), 401, 'expired token');
    assert.equal(await refused({ url, cookie, origin: 'http://evil.example' }), 403, 'foreign Origin');
    assert.equal(await refused({ url, cookie, origin: null }), 403, 'cookie without Origin');
    assert.equal(await refused({ url, ticket: 'no-such-ticket', origin: null }), 401, 'unknown ticket');
    const t = await a.post('/api/auth/ws-ticket');
    assert.equal(t.status, 200);
    assert.equal(await refused({ url, ticket: t.json.ticket, origin: 'http://evil.example' }), 403,
      'ticket with a foreign Origin');
    // The refusal above came before the ticket was looked at: still usable.
    const w = await connect({ url, ticket: t.json.ticket, origin: null });
    open.push(w);
    assert.equal((await w.next((e) => e.type === 'hello')).user_id, a.user.id);
    assert.equal(await refused({ url, ticket: t.json.ticket, origin: null }), 401, 'reused ticket');
    w.ws.close();
  }
  // A refusal carries the error body of the API reference.
  const res = await new Promise((resolve, reject) => {
    const req = http.get(RELAYS[0].replace('ws:', 'http:'), {
      headers: { Upgrade: 'websocket', Connection: 'Upgrade',
        'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Version': '13' },
    }, (r) => {
      let body = '';
      r.on('data', (c) => { body += c; });
      r.on('end', () => resolve({ status: r.statusCode, type: r.headers['content-type'], body }));
    });
    req.on('upgrade', () => reject(new Error('upgraded')));
    req.on('error', reject);
  });
  assert.equal(res.status, 401);
  assert.match(res.type, /^application\/json/);
  assert.equal(JSON.parse(res.body).error.code, 'not_authenticated');
  // After logout the session's access token is revoked at once.
  const b = await newUser();
  const bCookie = b.cookieHeader();
  assert.equal((await b.post('/api/auth/logout')).status, 204);
  assert.equal(await refused({ cookie: bCookie }), 401, 'revoked session');
});

test('hello, ping/pong, and the error frame for unknown types', async () => {
  const a = await newUser();
  for (const url of [env.wsUrl, RELAYS[0]]) {
    const w = await ws(a, { url });
    w.send({ type: 'ping' });
    await w.next((e) => e.type === 'pong', 2000);
    w.send({ type: 'dance' });
    const err = await w.next((e) => e.type === 'error', 2000);
    assert.equal(err.code, 'bad_request');
    w.send({ type: 'status', status: 'Partying' });
    assert.equal((await w.next((e) => e.type === 'error', 2000)).code, 'validation_failed');
    w.ws.close();
  }
});

test('message.created reaches members within a second with the REST id; never a non-member', async () => {
  const owner = await newUser();
  const member = await newUser();
  const outsider = await newUser();
  const g = await makeGroup(owner);
  await join(member, g);
  const wo = await ws(owner);
  const wm = await ws(member, { url: RELAYS[0] });
  const wx = await ws(outsider);
  const t0 = Date.now();
  const msg = await postMessage(owner, g.room, 'hello relay');
  for (const w of [wo, wm]) {
    const ev = await w.next((e) => e.type === 'message.created' && e.message.id === msg.id, 1000);
    assert.equal(ev.group_id, g.id);
    assert.equal(ev.message.text, 'hello relay');
    assert.ok(ev._at - t0 < 1000, `delivered after ${ev._at - t0} ms`);
  }
  // The outsider tries to focus the group: refused, and hears nothing.
  wx.send({ type: 'focus', group_id: g.id });
  assert.equal((await wx.next((e) => e.type === 'error')).code, 'not_found');
  await postMessage(member, g.room, 'second');
  await wo.next((e) => e.type === 'message.created' && e.message.text === 'second', 1000);
  await sleep(200);
  assert.deepEqual(none(wx, (e) => e.group_id === g.id), []);
});

test('typing reaches only sessions focused on the group, never the typist', async () => {
  const a = await newUser();
  const b = await newUser();
  const c = await newUser();
  const g = await makeGroup(a);
  await join(b, g);
  await join(c, g);
  const wa = await ws(a);
  const wb = await ws(b);
  const wc = await ws(c);
  const wa2 = await ws(a);
  wa.send({ type: 'focus', group_id: g.id });
  wa2.send({ type: 'focus', group_id: g.id });
  wb.send({ type: 'focus', group_id: g.id });
  wc.send({ type: 'focus', group_id: null });
  await sleep(100);
  wa.send({ type: 'typing', room_id: g.room, is_typing: true });
  const ev = await wb.next((e) => e.type === 'typing', 2000);
  assert.equal(ev.group_id, g.id);
  assert.equal(ev.room_id, g.room);
  assert.equal(ev.user_id, a.user.id);
  assert.equal(ev.is_typing, true);
  assert.equal(typeof ev.full_name, 'string');
  // Rate limited: a second start within 2 s is not relayed; a stop is.
  wa.send({ type: 'typing', room_id: g.room, is_typing: true });
  wa.send({ type: 'typing', room_id: g.room, is_typing: false });
  const stop = await wb.next((e) => e.type === 'typing', 2000);
  assert.equal(stop.is_typing, false);
  await sleep(300);
  assert.equal(wb.events.filter((e) => e.type === 'typing').length, 2);
  assert.deepEqual(none(wc, (e) => e.type === 'typing'), [], 'unfocused member');
  assert.deepEqual(none(wa2, (e) => e.type === 'typing'), [], 'the typist\'s own other session');
  // A room of a group the typist does not belong to: nothing.
  const other = await makeGroup(b);
  wa.send({ type: 'typing', room_id: other.room, is_typing: true });
  await sleep(300);
  assert.equal(wb.events.filter((e) => e.type === 'typing').length, 2);
  // Someone sending fast: start/stop pairs beyond the burst cap. Starts
  // are dropped past the cap, but every relayed start gets its stop, so
  // the receiver never ends with a stale "typing".
  const ws2 = await ws(a);
  ws2.send({ type: 'focus', group_id: g.id });
  await sleep(100);
  const before = wb.events.filter((e) => e.type === 'typing').length;
  for (let i = 0; i < 6; i++) {
    ws2.send({ type: 'typing', room_id: g.room, is_typing: true });
    ws2.send({ type: 'typing', room_id: g.room, is_typing: false });
  }
  await sleep(500);
  const burst = wb.events.filter((e) => e.type === 'typing').slice(before);
  assert.ok(burst.length >= 2 && burst.length <= 8, `burst of ${burst.length}`);
  assert.equal(burst.filter((e) => e.is_typing).length, burst.filter((e) => !e.is_typing).length);
  assert.equal(burst[burst.length - 1].is_typing, false, 'ends not typing');
});

test('membership changes take effect live, without a reconnect', async () => {
  const owner = await newUser();
  const u = await newUser();
  const g = await makeGroup(owner);
  const w = await ws(u);
  await postMessage(owner, g.room, 'before joining');
  await join(u, g);
  const m = await w.next((e) => e.type === 'membership', 2000);
  assert.deepEqual([m.group_id, m.joined], [g.id, true]);
  const msg = await postMessage(owner, g.room, 'after joining');
  const ev = await w.next((e) => e.type === 'message.created', 2000);
  assert.equal(ev.message.id, msg.id, 'only the message after joining');
  assert.equal((await u.post(`/api/groups/${g.id}/leave`)).status, 204);
  const left = await w.next((e) => e.type === 'membership' && e.joined === false, 2000);
  assert.equal(left.group_id, g.id);
  await postMessage(owner, g.room, 'after leaving');
  await sleep(300);
  assert.deepEqual(w.events.filter((e) => e.type === 'message.created').map((e) => e.message.text),
    ['after joining']);
});

test('group.deleted stops the group for every local session', async () => {
  const owner = await newUser();
  const u = await newUser();
  const g = await makeGroup(owner);
  await join(u, g);
  const w = await ws(u);
  assert.equal((await owner.del(`/api/groups/${g.id}`)).status, 204);
  await w.next((e) => e.type === 'group.deleted' && e.group_id === g.id, 2000);
  // A stray event on the dead group's channel is no longer delivered.
  await rds.publish(`group:${g.id}`, JSON.stringify({ type: 'group.updated', group_id: g.id }));
  await sleep(200);
  assert.deepEqual(none(w, (e) => e.type === 'group.updated'), []);
});

test('presence: online on the first connection, offline after the last; status saved', async () => {
  const a = await newUser();
  const b = await newUser();
  const g = await makeGroup(a);
  await join(b, g);
  const wb = await ws(b);
  wb.send({ type: 'focus', group_id: g.id });
  await sleep(100);
  const w1 = await ws(a);
  let p = await wb.next((e) => e.type === 'presence' && e.user_id === a.user.id, 2000);
  assert.deepEqual([p.online, p.status, p.group_id], [true, 'Online', g.id]);
  assert.ok(await rds.exists(`online:${a.user.id}`));
  const w2 = await ws(a, { url: RELAYS[0] });
  w1.send({ type: 'status', status: 'Busy' });
  p = await wb.next((e) => e.type === 'presence' && e.user_id === a.user.id, 2000);
  assert.deepEqual([p.online, p.status], [true, 'Busy']);
  await sleep(100);
  let [row] = await sql('SELECT status, default_status FROM profiles WHERE user_id = $1', [a.user.id]);
  assert.deepEqual([row.status, row.default_status], ['Busy', 'Busy']);
  await w1.close();
  await sleep(200);
  assert.deepEqual(none(wb, (e) => e.type === 'presence' && e.online === false), [],
    'still online: another connection is open');
  await w2.close();
  p = await wb.next((e) => e.type === 'presence' && e.online === false, 2000);
  assert.deepEqual([p.user_id, p.status], [a.user.id, 'Offline']);
  [row] = await sql('SELECT status, default_status, last_seen FROM profiles WHERE user_id = $1', [a.user.id]);
  assert.deepEqual([row.status, row.default_status], ['Offline', 'Busy']);
  assert.ok(row.last_seen);
  assert.equal(await rds.exists(`online:${a.user.id}`), 0);
  // The next connection shows the saved default status.
  await ws(a);
  p = await wb.next((e) => e.type === 'presence' && e.online === true && e.status === 'Busy', 2000);
  [row] = await sql('SELECT status FROM profiles WHERE user_id = $1', [a.user.id]);
  assert.equal(row.status, 'Busy');
});

test('bad frames close only that session: binary 1003, non-JSON 1007, > 4 KiB 1009', async () => {
  const owner = await newUser();
  const g = await makeGroup(owner);
  const good = await ws(owner);
  const cases = [
    [(w) => w.ws.send(Buffer.from([1, 2, 3]), { binary: true }), 1003],
    [(w) => w.ws.send('{"type": "ping"'), 1007],
    [(w) => w.ws.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false }), 1007],
    [(w) => w.send({ type: 'ping', pad: 'x'.repeat(5000) }), 1009],
    [(w) => w.ws.send('x'.repeat(3000), { fin: false }) || w.ws.send('y'.repeat(3000), { fin: true }), 1009],
  ];
  for (const [send, code] of cases) {
    const w = await ws(owner);
    send(w);
    const closed = await w.closed;
    assert.equal(closed.code, code);
  }
  // A 3 KiB message in fragments is fine.
  const w = await ws(owner);
  w.ws.send(`{"type":"ping","pad":"${'x'.repeat(1500)}`, { fin: false });
  w.ws.send(`${'y'.repeat(1500)}"}`, { fin: true });
  await w.next((e) => e.type === 'pong', 2000);
  const msg = await postMessage(owner, g.room, 'still here');
  await good.next((e) => e.type === 'message.created' && e.message.id === msg.id, 2000);
});

test('sign-out and a password change close that session\'s websockets at once (4001)', async () => {
  const a = await newUser();
  const w1 = await ws(a);
  // A second sign-in of the same user: another session.
  const other = new (a.constructor)();
  const login = await other.post('/api/auth/login', { username: a.user.username, password: a.password });
  assert.equal(login.status, 200);
  other.user = a.user;
  const w2 = await ws(other);
  assert.equal((await a.post('/api/auth/logout')).status, 204);
  const ev = await w1.next((e) => e.type === 'session.revoked', 3000);
  assert.equal(typeof ev.session_id, 'number');
  const closed = await w1.closed;
  assert.equal(closed.code, 4001);
  // The other session is untouched...
  w2.send({ type: 'ping' });
  await w2.next((e) => e.type === 'pong', 3000);
  // ...until the password changes from a third session, which revokes
  // every other one.
  const third = new (a.constructor)();
  assert.equal((await third.post('/api/auth/login', { username: a.user.username, password: a.password })).status, 200);
  const res = await third.put('/api/users/me/password', { old: a.password, new: 'another fine password' });
  assert.equal(res.status, 204, res.text);
  assert.equal((await w2.closed).code, 4001);
});

test('metrics: Prometheus text on the loopback metrics port', async () => {
  const m = await metrics(0);
  for (const k of ['connections', 'users', 'subscribed_channels', 'frames_out_total', 'bytes_out_total', 'writes_total',
    'frames_dropped_total', 'sessions_culled_total', 'redis_reconnects_total']) {
    assert.ok(`easychat_relay_${k}` in m, k);
  }
  assert.ok(m.easychat_relay_frames_out_total > 0);
  assert.ok(m['easychat_relay_handshakes_refused_total{status="401"}'] > 0);
  const nf = await fetch(metricsUrl(0).replace('/metrics', '/nope'));
  assert.equal(nf.status, 404);
});

test('two relays: every session gets each message exactly once', async () => {
  stack('relay-start', 1);
  spareStarted = true;
  const owner = await newUser();
  const x = await newUser();
  const y = await newUser();
  const g = await makeGroup(owner);
  await join(x, g);
  await join(y, g);
  const sessions = [
    await ws(x, { url: relayUrl(0) }),
    await ws(y, { url: relayUrl(1) }),
    await ws(owner, { url: relayUrl(0) }),
    await ws(owner, { url: relayUrl(1) }),
  ];
  const ids = [];
  for (let i = 0; i < 20; i++) ids.push((await postMessage(owner, g.room, `m${i}`)).id);
  for (const w of sessions) {
    await w.next((e) => e.type === 'message.created' && e.message.id === ids[ids.length - 1], 3000);
  }
  await sleep(300);
  for (const w of sessions) {
    const got = w.events.filter((e) => e.type === 'message.created').map((e) => e.message.id);
    assert.deepEqual(got, ids);
  }
  // Presence across relays: the owner stays online while either holds them.
  const h = await rds.hGetAll(`online:${owner.user.id}`);
  assert.equal(Object.keys(h).length, 2);
  const m1 = await metrics(1);
  assert.ok(m1.easychat_relay_connections >= 2);
});

test('two relays: a user event reaches each session of that user once, and no one else', async () => {
  // Relays receive user:<id> through one user:* pattern each (relay/bus.c):
  // every relay reads every user event and must drop those of users it
  // does not hold, and deliver the others once.
  stack('relay-start', 1);
  spareStarted = true;
  const x = await newUser();
  const y = await newUser();
  const xs = [await ws(x, { url: relayUrl(0) }), await ws(x, { url: relayUrl(1) }), await ws(x, { url: relayUrl(1) })];
  const ys = [await ws(y, { url: relayUrl(0) }), await ws(y, { url: relayUrl(1) })];
  const n = 5;
  for (let i = 0; i < n; i++) {
    await rds.publish(`user:${x.user.id}`, JSON.stringify({ type: 'mention.created', group_id: 1, seq: i }));
  }
  for (const w of xs) await w.next((e) => e.type === 'mention.created' && e.seq === n - 1, 3000);
  await sleep(300);
  for (const w of xs) {
    assert.deepEqual(w.events.filter((e) => e.type === 'mention.created').map((e) => e.seq), [0, 1, 2, 3, 4]);
  }
  for (const w of ys) assert.equal(w.events.filter((e) => e.type === 'mention.created').length, 0);
  // The pattern stays one subscription per relay; the gauge still counts
  // the user channels a relay serves.
  const subs = await rds.sendCommand(['PUBSUB', 'NUMPAT']);
  assert.ok(subs >= 1, `patterns: ${subs}`);
  const chans = await rds.sendCommand(['PUBSUB', 'CHANNELS', `user:${x.user.id}`]);
  assert.deepEqual(chans, [], 'no per-user SUBSCRIBE');
  const m1 = await metrics(1);
  assert.ok(m1.easychat_relay_subscribed_channels >= 2);
  for (const w of [...xs, ...ys]) w.ws.close();
});

/** `{...fields, pad}` whose JSON text is exactly `size` bytes. */
function sized(fields, size) {
  const base = JSON.stringify({ ...fields, pad: '' }).length;
  assert.ok(size >= base, `size ${size} < ${base}`);
  return JSON.stringify({ ...fields, pad: 'p'.repeat(size - base) });
}

test('a burst of hundreds of frames arrives complete and in order (coalesced writes)', async () => {
  const owner = await newUser();
  const g = await makeGroup(owner);
  const viaProxy = await ws(owner);
  const direct = await ws(owner, { url: RELAYS[0] });
  // Header lengths change at 126 and 65536 bytes; cover both sides of each.
  const special = [125, 126, 127, 65535, 65536, 65537, 70000, 200000];
  const texts = [];
  for (let i = 0; i < 600; i++) {
    const size = i % 40 === 3 ? special[(i / 40 | 0) % special.length]
      : i % 3 === 0 ? 100 + (i * 37) % 900 : 60 + (i % 7);
    texts.push(sized({ type: 'room.updated', group_id: g.id, seq: i }, Math.max(size, 60)));
  }
  // Published without waiting: one pipeline, so each session's queue
  // holds many frames at once and they go out several per write.
  await Promise.all(texts.map((t) => rds.publish(`group:${g.id}`, t)));
  for (const w of [viaProxy, direct]) {
    await w.next((e) => e.type === 'room.updated' && e.seq === texts.length - 1, 15000);
    const got = w.events.filter((e) => e.type === 'room.updated' && e.group_id === g.id);
    assert.equal(got.length, texts.length);
    for (let i = 0; i < texts.length; i++) {
      const { _at, _taken, ...ev } = got[i];
      assert.equal(JSON.stringify(ev), texts[i], `frame ${i} intact and in order`);
    }
  }
  // Still a working session afterwards.
  direct.send({ type: 'ping' });
  await direct.next((e) => e.type === 'pong', 2000);
});

test('events that arrive together go out in few writes, still one ordered message each', async () => {
  const owner = await newUser();
  const g = await makeGroup(owner);
  const direct = await ws(owner, { url: RELAYS[0] });
  // A raw reader of the same user: the bytes on the wire, frame by frame.
  const url = new URL(RELAYS[0]);
  const sock = net.connect(Number(url.port), url.hostname);
  await new Promise((r) => sock.once('connect', r));
  sock.on('error', () => {});
  sock.write(`GET /ws HTTP/1.1\r\nHost: ${url.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n`
    + `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n`
    + `Origin: ${env.origin}\r\nCookie: ${owner.cookieHeader()}\r\n\r\n`);
  let raw = Buffer.alloc(0);
  sock.on('data', (d) => { raw = Buffer.concat([raw, d]); });
  for (let i = 0; i < 50 && raw.indexOf('"hello"') < 0; i++) await sleep(100);
  assert.ok(raw.indexOf('"hello"') > 0, 'raw reader upgraded');
  const n = 400;
  const before0 = await metrics(0);
  // One transaction: Redis hands the relay all of them at once.
  const tx = rds.multi();
  for (let i = 0; i < n; i++) tx.publish(`group:${g.id}`, JSON.stringify({ type: 'room.updated', group_id: g.id, seq: i }));
  await tx.exec();
  await direct.next((e) => e.type === 'room.updated' && e.seq === n - 1, 10000);
  const got = direct.events.filter((e) => e.type === 'room.updated' && e.group_id === g.id);
  assert.deepEqual(got.map((e) => e.seq), [...Array(n).keys()], 'each event one message, in order');
  const m = await metrics(0);
  const frames = m.easychat_relay_frames_out_total - before0.easychat_relay_frames_out_total;
  const writes = m.easychat_relay_writes_total - before0.easychat_relay_writes_total;
  assert.ok(frames >= 2 * n, `frames ${frames}`);
  // Several frames per write (the other tests' traffic counts as well).
  assert.ok(writes * 4 < frames, `${writes} writes for ${frames} frames`);
  // On the wire: unmasked final text frames, one per event, in order.
  for (let i = 0; i < 50; i++) {
    if (raw.indexOf(`"seq":${n - 1}}`) > 0) break;
    await sleep(100);
  }
  let off = raw.indexOf('\r\n\r\n') + 4;
  const seqs = [];
  while (off + 2 <= raw.length) {
    assert.equal(raw[off] & 0x8f, 0x81, 'FIN + text');
    let len = raw[off + 1];
    let h = 2;
    assert.equal(len & 0x80, 0, 'unmasked');
    if (len === 126) { len = raw.readUInt16BE(off + 2); h = 4; }
    assert.ok(len < 127);
    const ev = JSON.parse(raw.subarray(off + h, off + h + len).toString());
    if (ev.type === 'room.updated') seqs.push(ev.seq);
    off += h + len;
  }
  assert.equal(off, raw.length, 'whole frames');
  assert.deepEqual(seqs, [...Array(n).keys()]);
  sock.destroy();
});

/**
 * A relay of our own on free ports, with `settings` (env file lines) added
 * to the stack's: { url, port, metrics(), stop() } (stop resolves to its
 * exit { code, sig }).
 */
async function ownRelay(name, settings) {
  const free = () => new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
  const port = await free();
  const mport = await free();
  const envFile = path.join(process.env.EASYCHAT_VAR, `relay-${name}-${port}.env`);
  fs.writeFileSync(envFile, `${fs.readFileSync(process.env.EASYCHAT_ENV, 'utf8')}\n`
    + `RELAY_PORT=${port}\nRELAY_METRICS_PORT=${mport}\n${settings}`);
  const logFile = path.join(process.env.EASYCHAT_VAR, 'log', `relay-${name}-${port}.log`);
  const log = fs.openSync(logFile, 'a');
  const relay = spawn(path.join(process.env.BIN_DIR, 'easychat-relay'), [], {
    env: { ...process.env, EASYCHAT_ENV: envFile, RELAY_INDEX: '0' },
    stdio: ['ignore', log, log],
  });
  const exited = new Promise((resolve) => relay.once('exit', (code, sig) => resolve({ code, sig })));
  for (let i = 0; i < 50; i++) {
    if (await new Promise((r) => { const c = net.connect(port, '127.0.0.1', () => { c.destroy(); r(true); }); c.on('error', () => r(false)); })) break;
    await sleep(100);
  }
  return {
    url: `ws://127.0.0.1:${port}/ws`,
    port,
    async metrics() {
      const res = await fetch(`http://127.0.0.1:${mport}/metrics`);
      assert.equal(res.status, 200);
      const out = {};
      for (const line of (await res.text()).split('\n')) {
        const m = /^(easychat_relay_[a-z_]+) (\d+)$/.exec(line);
        if (m) out[m[1]] = Number(m[2]);
      }
      return out;
    },
    async stop() {
      relay.kill('SIGTERM');
      const r = await Promise.race([exited, sleep(10000).then(() => null)]);
      if (r === null) relay.kill('SIGKILL');
      fs.closeSync(log);
      fs.rmSync(envFile, { force: true });
      return exited;
    },
  };
}

test('adaptive coalescing: a busy relay holds a write round (bounded) so events share a send; an idle one writes at once', async () => {
  const owner = await newUser();
  const g = await makeGroup(owner);
  const delta = (a, b, k) => b[`easychat_relay_${k}`] - a[`easychat_relay_${k}`];
  const publishSpread = async (seq0, count) => {
    const sent = Date.now();
    for (let i = 0; i < count; i++) {
      if (i) await sleep(40);
      await rds.publish(`group:${g.id}`, JSON.stringify({ type: 'room.updated', group_id: g.id, seq: seq0 + i }));
    }
    return sent;
  };

  // RELAY_COALESCE_BUSY=0 counts every round as busy: each is held for
  // RELAY_COALESCE_US (0.4 s here, so that it shows on a loaded machine).
  const held = await ownRelay('coalesce', 'RELAY_COALESCE_US=400000\nRELAY_COALESCE_BUSY=0\n');
  try {
    const a = await ws(owner, { url: held.url });
    const b = await ws(owner, { url: held.url });
    await sleep(300); // the hellos' round is over
    const m0 = await held.metrics();
    // Three events 40 ms apart: one held round, one send per session.
    const sent = await publishSpread(0, 3);
    for (const w of [a, b]) {
      await w.next((e) => e.type === 'room.updated' && e.seq === 2, 5000);
      const got = w.events.filter((e) => e.type === 'room.updated' && e.group_id === g.id);
      assert.deepEqual(got.map((e) => e.seq), [0, 1, 2], 'each event once, in order');
      // Held from the first push: not before the hold, all together.
      assert.ok(got[0]._at - sent >= 350, `first event after ${got[0]._at - sent} ms`);
      assert.ok(got[2]._at - got[0]._at < 100, 'the round came in one piece');
    }
    const m1 = await held.metrics();
    assert.equal(delta(m0, m1, 'frames_out_total'), 6);
    assert.equal(delta(m0, m1, 'writes_total'), 2, 'one send per session for three events');
    assert.equal(delta(m0, m1, 'write_rounds_held_total'), 1);
  } finally {
    assert.deepEqual(await held.stop(), { code: 0, sig: null }, 'clean exit');
  }

  // The defaults: a relay whose last round is long past writes at once.
  const idle = await ownRelay('idle', '');
  try {
    const a = await ws(owner, { url: idle.url });
    await sleep(300);
    const m0 = await idle.metrics();
    const sent = await publishSpread(10, 3);
    await a.next((e) => e.type === 'room.updated' && e.seq === 12, 5000);
    const got = a.events.filter((e) => e.type === 'room.updated' && e.group_id === g.id);
    assert.deepEqual(got.map((e) => e.seq), [10, 11, 12]);
    assert.ok(got[0]._at - sent < 300, `first event after ${got[0]._at - sent} ms`);
    const m1 = await idle.metrics();
    assert.equal(delta(m0, m1, 'write_rounds_held_total'), 0, 'never held');
    assert.ok(delta(m0, m1, 'write_rounds_total') >= 1);
  } finally {
    assert.deepEqual(await idle.stop(), { code: 0, sig: null }, 'clean exit');
  }
});

test('heartbeat: pings after heartbeat_ms of silence; a peer that never answers is hung up', async () => {
  // A relay of our own with a 1 s heartbeat (hang-up after 2 x 1 s + 10 s).
  const relay = await ownRelay('hb', 'RELAY_HEARTBEAT_MS=1000\n');
  const { port, url } = relay;
  try {
    const a = await newUser();
    // The ws client answers pings by itself: it stays.
    const good = await ws(a, { url });
    let pings = 0;
    good.ws.on('ping', () => { pings++; });
    // A raw client that completes the upgrade and never answers pings.
    const sock = net.connect(port, '127.0.0.1');
    await new Promise((r) => sock.once('connect', r));
    sock.write(`GET /ws HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n`
      + `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n`
      + `Origin: ${env.origin}\r\nCookie: ${a.cookieHeader()}\r\n\r\n`);
    let buf = Buffer.alloc(0);
    const t0 = Date.now();
    const closedAt = new Promise((resolve) => sock.on('close', () => resolve(Date.now())));
    sock.on('error', () => {});
    sock.on('data', (d) => { buf = Buffer.concat([buf, d]); });
    // The first ping comes after about a second of silence.
    const ping = Buffer.from([0x89, 0x02, 0x68, 0x62]);
    for (let i = 0; i < 40 && buf.indexOf(ping) < 0; i++) await sleep(100);
    assert.ok(buf.toString('latin1').startsWith('HTTP/1.1 101'), 'upgraded');
    assert.ok(buf.indexOf(ping) > 0, 'a ping within 4 s');
    const gone = await Promise.race([closedAt, sleep(30000).then(() => 0)]);
    assert.ok(gone > 0, 'the silent peer was hung up');
    const after = (gone - t0) / 1000;
    // Due at 12 s; the upper bound leaves room for a loaded CI machine.
    assert.ok(after >= 11 && after < 25, `hung up after ${after} s (2 x 1 s + 10 s)`);
    // The answering client is still there and was pinged meanwhile.
    assert.ok(pings >= 3, `pings: ${pings}`);
    good.send({ type: 'ping' });
    await good.next((e) => e.type === 'pong', 2000);
    good.ws.close();
  } finally {
    assert.deepEqual(await relay.stop(), { code: 0, sig: null }, 'clean exit');
  }
});

test('a stalled reader is culled while the others keep receiving', async () => {
  const owner = await newUser();
  const g = await makeGroup(owner);
  const reader = await ws(owner);
  const before0 = await metrics(0);
  // A raw client that completes the upgrade and then never reads.
  const url = new URL(RELAYS[0]);
  const sock = net.connect(Number(url.port), url.hostname);
  await new Promise((r) => sock.once('connect', r));
  sock.write(`GET /ws HTTP/1.1\r\nHost: ${url.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n`
    + `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n`
    + `Origin: ${env.origin}\r\nCookie: ${owner.cookieHeader()}\r\n\r\n`);
  const head = await new Promise((r) => sock.once('data', (d) => r(d.toString())));
  assert.match(head, /^HTTP\/1\.1 101/);
  sock.pause();
  sock.on('error', () => {});
  // ~40 MB of events: far more than socket buffers and the queue hold.
  const pad = 'x'.repeat(48 * 1024);
  const n = 800;
  // In batches the healthy reader keeps up with; the stalled one cannot.
  for (let i = 0; i < n; i++) {
    await rds.publish(`group:${g.id}`, JSON.stringify({ type: 'room.updated', group_id: g.id, seq: i, pad }));
    if (i % 50 === 49) await reader.next((e) => e.type === 'room.updated' && e.seq === i, 10000);
  }
  assert.equal(reader.events.filter((e) => e.type === 'room.updated').length, n, 'the reader got everything');
  let m;
  // Culled at once; closed after a short grace plus lws' flush timeout.
  for (let i = 0; i < 200; i++) {
    m = await metrics(0);
    if (m.easychat_relay_sessions_culled_total > before0.easychat_relay_sessions_culled_total
      && m.easychat_relay_connections <= before0.easychat_relay_connections) break;
    await sleep(100);
  }
  assert.ok(m.easychat_relay_sessions_culled_total > before0.easychat_relay_sessions_culled_total, 'culled');
  assert.ok(m.easychat_relay_frames_dropped_total > before0.easychat_relay_frames_dropped_total);
  assert.equal(m.easychat_relay_connections, before0.easychat_relay_connections, 'the stalled session is gone');
  sock.destroy();
  // The reader still works.
  reader.send({ type: 'ping' });
  await reader.next((e) => e.type === 'pong', 2000);
});

test('PostgreSQL down: new connections get 503, existing sessions keep receiving', async () => {
  const owner = await newUser();
  const g = await makeGroup(owner);
  const w = await ws(owner);
  stack('pg-stop');
  try {
    assert.equal(await refused({ cookie: owner.cookieHeader() }), 503);
    assert.equal(await refused({ url: RELAYS[0], cookie: owner.cookieHeader() }), 503);
    await rds.publish(`group:${g.id}`, JSON.stringify({ type: 'room.updated', group_id: g.id, n: 1 }));
    await w.next((e) => e.type === 'room.updated' && e.n === 1, 2000);
  } finally {
    stack('pg-start');
  }
  let status;
  for (let i = 0; i < 50; i++) {
    status = await refused({ cookie: owner.cookieHeader() });
    if (status === 101) break;
    await sleep(200);
  }
  assert.equal(status, 101, 'accepted again once PostgreSQL is back');
});

test('Redis restart: sessions are told to resync and events flow again', async () => {
  const owner = await newUser();
  const g = await makeGroup(owner);
  // A membership whose event is lost with Redis: the relay must pick it
  // up from PostgreSQL when Redis is back, without a reconnect.
  const other = await newUser();
  const lost = await makeGroup(other);
  const w = await ws(owner);
  const w2 = await ws(owner, { url: RELAYS[0] });
  const before0 = await metrics(0);
  await rds.quit().catch(() => {});
  rds = null;
  stack('redis-stop');
  await sql('INSERT INTO group_members (group_id, user_id) VALUES ($1, $2)', [lost.id, owner.user.id]);
  stack('redis-start');
  await w.next((e) => e.type === 'resync', 15000);
  await w2.next((e) => e.type === 'resync', 15000);
  rds = await redis();
  const m = await metrics(0);
  assert.ok(m.easychat_relay_redis_reconnects_total > before0.easychat_relay_redis_reconnects_total);
  // Resubscribed: a new event arrives (the programs reconnect lazily too).
  const msg = await postMessage(owner, g.room, 'after the restart');
  await w.next((e) => e.type === 'message.created' && e.message.id === msg.id, 3000);
  // The group joined while Redis was away is live too (the reload is one
  // query issued with the resync; allow it a moment).
  let inLost;
  let got = false;
  for (let attempt = 0; attempt < 5 && !got; attempt++) {
    inLost = await postMessage(other, lost.room, `in the group joined during the outage ${attempt}`);
    got = await w.next((e) => e.type === 'message.created' && e.message.id === inLost.id, 1000)
      .then(() => true, () => false);
  }
  assert.ok(got, 'events of the group joined during the outage');
  await w2.next((e) => e.type === 'message.created' && e.message.id === inLost.id, 3000);
  // Presence was recorded again.
  assert.ok(await rds.exists(`online:${owner.user.id}`));
});

test('kill -9 of the relay and a restart: reconnect + after= catch-up gives exactly the database', async () => {
  const owner = await newUser();
  const reader = await newUser();
  const g = await makeGroup(owner);
  await join(reader, g);
  const seen = new Map(); // id -> message, as a client would keep them
  const dupes = [];
  const track = (w) => {
    const mine = new Set(); // what this connection delivered
    w.ws.on('message', (d) => {
      const e = JSON.parse(d.toString());
      if (e.type !== 'message.created') return;
      if (mine.has(e.message.id)) dupes.push(e.message.id);
      mine.add(e.message.id);
      seen.set(e.message.id, e.message);
    });
  };
  const url = RELAYS[0];
  let w = await ws(reader, { url });
  track(w);
  for (let i = 0; i < 5; i++) await postMessage(owner, g.room, `before ${i}`);
  await w.next((e) => e.type === 'message.created' && e.message.text === 'before 4', 2000);
  const lastSeen = Math.max(...seen.keys());
  const closed = w.closed;
  stack('relay-kill', 0);
  await closed;
  // Posted while the relay is down: only REST can tell.
  for (let i = 0; i < 5; i++) await postMessage(owner, g.room, `during ${i}`);
  stack('relay-start', 0);
  w = await ws(reader, { url });
  track(w);
  const live = postMessage(owner, g.room, 'after');
  // Catch up from the last id seen, page by page, as the SPA does.
  let after = lastSeen;
  for (;;) {
    const res = await reader.get(`/api/rooms/${g.room}/messages?after=${after}&limit=2`);
    assert.equal(res.status, 200, res.text);
    for (const m of res.json.items) {
      if (seen.has(m.id)) continue; // the live copy won the race
      seen.set(m.id, m);
    }
    if (!res.json.has_more || res.json.items.length === 0) break;
    after = res.json.items[res.json.items.length - 1].id;
  }
  const afterMsg = await live;
  await w.next((e) => e.type === 'message.created' && e.message.id === afterMsg.id, 2000).catch(() => {});
  if (!seen.has(afterMsg.id)) {
    const res = await reader.get(`/api/rooms/${g.room}/messages?after=${after}`);
    for (const m of res.json.items) seen.set(m.id, m);
  }
  const db = (await sql('SELECT id FROM messages WHERE room_id = $1 ORDER BY id', [g.room]))
    .map((r) => Number(r.id));
  assert.deepEqual([...seen.keys()].sort((a, b) => a - b), db);
  assert.deepEqual(dupes, [], 'no message delivered twice by the relay');
});
