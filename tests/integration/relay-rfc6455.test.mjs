// relay-rfc6455.test.mjs - the relay's websocket framing and handshake
// against raw TCP sockets (issue 11 items 13, 14, 15): masked client
// frames only, a pong for every ping, Close 1002 for malformed control
// frames and close payloads, the TCP connection ended right after the
// relay's Close, frames pipelined behind the upgrade request, bare CR/LF
// and unknown subprotocols refused with 400, and the connection caps (429).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { newUser, sleep, env } from '../lib/api.mjs';
import { connect } from '../lib/ws.mjs';

const RELAYS = (process.env.RELAY_URLS || '').split(',').filter(Boolean);
const sockets = [];
const children = [];

after(async () => {
  for (const s of sockets) s.destroy();
  for (const c of children) c.kill('SIGTERM');
  await sleep(200);
});

/** A masked (unless opts.unmasked) client frame. */
function frame(op, payload = Buffer.alloc(0), opts = {}) {
  const p = Buffer.from(payload);
  const b0 = (opts.fin === false ? 0 : 0x80) | (opts.rsv || 0) | op;
  const maskBit = opts.unmasked ? 0 : 0x80;
  let head;
  const len = opts.len === undefined ? p.length : opts.len;
  if (opts.len64 !== undefined) {
    head = Buffer.alloc(10);
    head[0] = b0; head[1] = maskBit | 127;
    head.writeBigUInt64BE(opts.len64, 2);
  } else if (len < 126 && !opts.ext16) {
    head = Buffer.from([b0, maskBit | len]);
  } else {
    head = Buffer.from([b0, maskBit | 126, len >> 8, len & 0xff]);
  }
  if (opts.unmasked) return Buffer.concat([head, p]);
  const mask = randomBytes(4);
  const body = Buffer.from(p.map((c, i) => c ^ mask[i & 3]));
  return Buffer.concat([head, mask, body]);
}

function closePayload(code, reason = '') {
  const b = Buffer.alloc(2 + Buffer.byteLength(reason));
  b.writeUInt16BE(code, 0);
  b.write(reason, 2);
  return b;
}

/**
 * A raw connection: writes the upgrade request (plus `extra` bytes in
 * the same write) and collects the answer: { sock, status, head, frames,
 * closedAt, next(pred, ms) }.
 */
async function raw(user, { url = RELAYS[0], extra = Buffer.alloc(0), headers = '', request, pieces = 1 } = {}) {
  const u = new URL(url);
  const sock = net.connect(Number(u.port), u.hostname);
  sockets.push(sock);
  sock.on('error', () => {});
  await new Promise((r) => sock.once('connect', r));
  const req = request || (`GET /ws HTTP/1.1\r\nHost: ${u.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n`
    + `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n`
    + `Origin: ${env.origin}\r\nCookie: ${user.cookieHeader()}\r\n${headers}\r\n`);
  const c = { sock, status: 0, head: '', body: '', frames: [], closedAt: 0, waiters: [] };
  let buf = Buffer.alloc(0);
  let inHead = true;
  const parse = () => {
    if (inHead) {
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      c.head = buf.subarray(0, end).toString('latin1');
      c.status = Number(c.head.split(' ')[1]);
      buf = buf.subarray(end + 4);
      inHead = false;
    }
    if (c.status !== 101) { c.body = buf.toString(); return; }
    for (;;) {
      if (buf.length < 2) return;
      let len = buf[1] & 0x7f;
      let off = 2;
      if (len === 126) { if (buf.length < 4) return; len = buf.readUInt16BE(2); off = 4; }
      if (len === 127) { if (buf.length < 10) return; len = Number(buf.readBigUInt64BE(2)); off = 10; }
      if (buf.length < off + len) return;
      const f = { op: buf[0] & 0x0f, masked: (buf[1] & 0x80) !== 0, payload: buf.subarray(off, off + len) };
      if (f.op === 1) f.json = JSON.parse(f.payload.toString());
      if (f.op === 8 && len >= 2) f.code = f.payload.readUInt16BE(0);
      c.frames.push(f);
      buf = buf.subarray(off + len);
      for (const w of [...c.waiters]) if (w.pred(f)) { c.waiters.splice(c.waiters.indexOf(w), 1); w.resolve(f); }
    }
  };
  sock.on('data', (d) => { buf = Buffer.concat([buf, d]); parse(); });
  c.closed = new Promise((r) => sock.on('close', () => { c.closedAt = Date.now(); r(c.closedAt); }));
  c.next = (pred, ms = 3000) => {
    const found = c.frames.find(pred);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const w = { pred, resolve };
      c.waiters.push(w);
      setTimeout(() => { const i = c.waiters.indexOf(w); if (i >= 0) { c.waiters.splice(i, 1); reject(new Error('no matching frame')); } }, ms);
    });
  };
  const all = Buffer.concat([Buffer.from(req, 'latin1'), extra]);
  // In `pieces` writes 150 ms apart (the relay reads each on its own).
  const step = Math.ceil(all.length / pieces);
  for (let i = 0; i < all.length; i += step) {
    if (i > 0) await sleep(150);
    sock.write(all.subarray(i, i + step));
  }
  return c;
}

async function upgraded(user, opts) {
  const c = await raw(user, opts);
  const hello = await c.next((f) => f.op === 1 && f.json.type === 'hello');
  assert.equal(c.status, 101);
  assert.equal(hello.masked, false);
  return c;
}

/** The relay's Close frame with `code`, then the TCP connection ends soon. */
async function failsWith(c, code) {
  const f = await c.next((x) => x.op === 8, 3000);
  const sent = Date.now();
  assert.equal(f.code, code);
  const closed = await Promise.race([c.closed, sleep(2000).then(() => 0)]);
  assert.ok(closed > 0 && closed - sent < 1000, 'TCP closed right after the Close frame');
}

test('unmasked client frames are a protocol error (1002)', async () => {
  const a = await newUser();
  const c = await upgraded(a);
  c.sock.write(frame(1, '{"type":"ping"}', { unmasked: true }));
  await failsWith(c, 1002);
  assert.equal(c.frames.filter((f) => f.op === 1 && f.json.type === 'pong').length, 0);
});

test('every ping gets its own pong, in order, with its payload', async () => {
  const a = await newUser();
  const c = await upgraded(a);
  c.sock.write(Buffer.concat([frame(9, 'one'), frame(9, 'two'), frame(9, 'three'), frame(1, '{"type":"ping"}')]));
  await c.next((f) => f.op === 1 && f.json.type === 'pong');
  const pongs = c.frames.filter((f) => f.op === 10).map((f) => f.payload.toString());
  assert.deepEqual(pongs, ['one', 'two', 'three']);
});

test('malformed control frames and close payloads get Close 1002', async () => {
  const a = await newUser();
  const cases = [
    frame(9, 'hi', { ext16: true }),                       // control frame, 16-bit length
    frame(1, '', { len64: 0x8000000000000001n }),          // 64-bit length, top bit set
    frame(8, Buffer.from([3])),                            // 1-byte close payload
    frame(8, closePayload(5000)),                          // invalid close code
    frame(8, closePayload(1005)),                          // reserved close code
    frame(9, 'x', { fin: false }),                         // fragmented control frame
    frame(1, '{}', { rsv: 0x40 }),                         // RSV1 without an extension
    frame(3, '{}'),                                        // reserved opcode
    frame(0, '{}'),                                        // continuation of nothing
  ];
  for (const bytes of cases) {
    const c = await upgraded(a);
    c.sock.write(bytes);
    await failsWith(c, 1002);
  }
});

test('a valid Close is echoed and the TCP connection ends at once', async () => {
  const a = await newUser();
  const c = await upgraded(a);
  c.sock.write(frame(8, closePayload(1000, 'bye')));
  await failsWith(c, 1000);
  const d = await upgraded(a);
  d.sock.write(frame(8, closePayload(4321)));
  await failsWith(d, 4321);
});

test('bad frames still close with 1003 / 1007 / 1009', async () => {
  const a = await newUser();
  const cases = [
    [frame(2, Buffer.from([1, 2, 3])), 1003],
    [frame(1, '{"type": "ping"'), 1007],
    [frame(1, Buffer.from([0x7b, 0xff, 0xfe, 0x7d])), 1007],
    [frame(1, 'x'.repeat(5000)), 1009],
  ];
  for (const [bytes, code] of cases) {
    const c = await upgraded(a);
    c.sock.write(bytes);
    await failsWith(c, code);
  }
});

test('a frame pipelined with the upgrade request is answered', async () => {
  const a = await newUser();
  const c = await raw(a, { extra: Buffer.concat([frame(9, 'early'), frame(1, '{"type":"ping"}')]) });
  await c.next((f) => f.op === 1 && f.json.type === 'pong');
  assert.equal(c.status, 101);
  assert.deepEqual(c.frames.filter((f) => f.op === 10).map((f) => f.payload.toString()), ['early']);
});

test('an upgrade request split over several reads is answered, with the frame behind it, while others connect', async () => {
  const a = await newUser();
  const b = await newUser();
  const extra = Buffer.concat([frame(9, 'split'), frame(1, '{"type":"ping"}')]);
  // b's whole requests arrive between a's pieces: each is read into the
  // buffer a's first piece was read into, and a's head must not mix with
  // theirs.
  const split = raw(a, { extra, pieces: 4 });
  const others = [];
  for (let i = 0; i < 3; i++) {
    await sleep(100);
    others.push(raw(b, { extra: frame(9, `other ${i}`) }));
  }
  const c = await split;
  await c.next((f) => f.op === 1 && f.json.type === 'pong');
  assert.equal(c.status, 101);
  assert.deepEqual(c.frames.filter((f) => f.op === 10).map((f) => f.payload.toString()), ['split']);
  for (const [i, p] of others.entries()) {
    const o = await p;
    const pong = await o.next((f) => f.op === 10);
    assert.equal(o.status, 101);
    assert.equal(pong.payload.toString(), `other ${i}`);
  }
});

test('bare CR or LF in the request head and unknown subprotocols get 400 before any upgrade', async () => {
  const a = await newUser();
  for (const headers of ['X-Test: a\nb\r\n', 'X-Test: a\rb\r\n', 'Sec-WebSocket-Protocol: foo\r\n',
    'X-Test: a\r\n folded\r\n']) {
    const c = await raw(a, { headers });
    await c.closed;
    assert.equal(c.status, 400, JSON.stringify(headers));
    assert.equal(JSON.parse(c.body).error.code, 'bad_request');
  }
  // The relay's own subprotocol is accepted and named in the answer.
  const c = await upgraded(a, { headers: 'Sec-WebSocket-Protocol: foo, easychat\r\n' });
  assert.match(c.head, /\r\nSec-WebSocket-Protocol: easychat/i);
  // A standard client still connects and is answered.
  const w = await connect({ cookie: a.cookieHeader() });
  await w.next((e) => e.type === 'hello', 3000);
  w.send({ type: 'ping' });
  await w.next((e) => e.type === 'pong', 3000);
  w.ws.terminate();
});

test('caps: sessions per user and pending handshakes per address are refused with 429', async () => {
  const free = () => new Promise((resolve) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => { const { port } = srv.address(); srv.close(() => resolve(port)); });
  });
  const port = await free();
  const mport = await free();
  const envFile = path.join(process.env.EASYCHAT_VAR, `relay-caps-${port}.env`);
  fs.writeFileSync(envFile, `${fs.readFileSync(process.env.EASYCHAT_ENV, 'utf8')}\n`
    + `RELAY_PORT=${port}\nRELAY_METRICS_PORT=${mport}\nRELAY_SESSIONS_PER_USER=3\n`
    + 'RELAY_PENDING_PER_ADDR=4\nRELAY_PENDING_EXEMPT=\n');
  const log = fs.openSync(path.join(process.env.EASYCHAT_VAR, 'log', `relay-caps-${port}.log`), 'a');
  const relay = spawn(path.join(process.env.BIN_DIR, 'easychat-relay'), [], {
    env: { ...process.env, EASYCHAT_ENV: envFile, RELAY_INDEX: '0' }, stdio: ['ignore', log, log],
  });
  children.push(relay);
  const url = `ws://127.0.0.1:${port}/ws`;
  for (let i = 0; i < 50; i++) {
    if (await new Promise((r) => { const c = net.connect(port, '127.0.0.1', () => { c.destroy(); r(true); }); c.on('error', () => r(false)); })) break;
    await sleep(100);
  }
  await sleep(300);
  const a = await newUser();
  const b = await newUser();
  const mine = [];
  for (let i = 0; i < 3; i++) mine.push(await upgraded(a, { url }));
  const fourth = await raw(a, { url });
  await fourth.closed;
  assert.equal(fourth.status, 429);
  assert.match(fourth.head, /\r\nRetry-After: \d+/i);
  assert.equal(JSON.parse(fourth.body).error.code, 'rate_limited');
  // Another user is not affected; a closed session frees its place.
  await upgraded(b, { url });
  mine[0].sock.write(frame(8, closePayload(1000)));
  await mine[0].closed;
  await sleep(100);
  await upgraded(a, { url });
  // Half-open handshakes: four are held, the fifth is refused at once.
  const held = [];
  for (let i = 0; i < 4; i++) {
    const s = net.connect(port, '127.0.0.1');
    sockets.push(s);
    s.on('error', () => {});
    await new Promise((r) => s.once('connect', r));
    held.push(s);
  }
  await sleep(200);
  const fifth = await raw(a, { url });
  await fifth.closed;
  assert.equal(fifth.status, 429);
  for (const s of held) s.destroy();
  await sleep(300);
  await upgraded(b, { url });
});
