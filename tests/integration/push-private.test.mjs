// push-private.test.mjs - Web Push endpoints on private, loopback and
// other non-public addresses (SSRF): refused at subscribe time when
// literal, and refused by easychat-deliver on the address it would
// connect to, unless PUSH_ALLOW_PRIVATE=1 (which the test stack sets for
// its fake push service on 127.0.0.1; here a real environment variable
// overrides it to 0 for one program run).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { newUser, assertError, stack } from '../lib/api.mjs';
import { sql, closeDb } from '../lib/db.mjs';
import { cgi } from '../lib/cgi.mjs';
import { startPushService } from '../lib/pushservice.mjs';

const SUBS = '/api/users/me/push-subscriptions';
let svc;
let v6; // a listener on [::1] that counts connections
let v6Connections = 0;

before(async () => {
  svc = await startPushService();
  v6 = net.createServer((s) => { v6Connections += 1; s.destroy(); });
  await new Promise((resolve, reject) => { v6.once('error', reject); v6.listen(0, '::1', resolve); });
});
after(async () => {
  await new Promise((r) => v6.close(r));
  await svc.close();
  await closeDb();
});

/**
 * One pass of the deliverer with this environment on top of the stack's;
 * resolves to { status, stderr }. Asynchronous: the fake services run in
 * this process, and a blocked event loop would neither count nor answer
 * a connection.
 */
function deliverOnce(extra) {
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(process.env.BIN_DIR, 'easychat-deliver'), ['--once'], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { PATH: process.env.PATH, EASYCHAT_ENV: process.env.EASYCHAT_ENV,
        EASYCHAT_VAR: process.env.EASYCHAT_VAR,
        ASAN_OPTIONS: process.env.ASAN_OPTIONS ?? '', LSAN_OPTIONS: process.env.LSAN_OPTIONS ?? '',
        UBSAN_OPTIONS: process.env.UBSAN_OPTIONS ?? '', ...extra } });
    const err = [];
    const timer = setTimeout(() => child.kill('SIGKILL'), 60000);
    child.stderr.on('data', (c) => err.push(c));
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stderr: Buffer.concat(err).toString('utf8') });
    });
  });
}

test('subscribing with a literal private, loopback or local address is refused (400) unless PUSH_ALLOW_PRIVATE=1', async () => {
  const c = await newUser();
  await c.useBearer();
  const auth = { Authorization: `Bearer ${c.bearer}` };
  const good = svc.subscribe().json;
  const subscribe = (endpoint, allow) => cgi('users', { method: 'POST', path: SUBS,
    json: { ...good, endpoint }, headers: auth, env: { PUSH_ALLOW_PRIVATE: allow } });
  const refused = [
    good.endpoint, // http://127.0.0.1:<port>/push/... (the fake service)
    'https://127.0.0.1/x', 'https://127.1/x', 'https://2130706433/x', 'https://0x7f.0.0.1/x',
    'https://10.1.2.3/x', 'https://172.16.0.1/x', 'https://192.168.1.1:8443/x',
    'https://169.254.169.254/latest', 'https://100.64.0.1/x', 'https://0.0.0.0/x',
    'https://224.0.0.1/x', 'https://255.255.255.255/x',
    'https://[::1]/x', 'https://[::]/x', 'https://[fe80::1]/x', 'https://[fe80::1%25eth0]/x',
    'https://[fd00::2]:443/x', 'https://[ff02::1]/x',
    'https://[::ffff:127.0.0.1]/x', 'https://[::ffff:a00:1]/x', 'https://[::ffff:169.254.169.254]/x',
    'https://[64:ff9b::a00:1]/x', 'https://[2002:c0a8:101::1]/x',
    'https://localhost/x', 'https://push.localhost/x', 'https://LOCALHOST./x',
  ];
  for (const endpoint of refused) {
    const res = await subscribe(endpoint, '0');
    assertError(assert, res, 400, 'validation_failed');
    assert.match(res.json.error.fields.endpoint, /private|local/, `${endpoint}: ${res.text}`);
  }
  assert.equal((await sql('SELECT count(*)::int AS n FROM push_subscriptions WHERE user_id = $1', [c.user.id]))[0].n, 0,
    'nothing stored');
  // public addresses and names are fine
  for (const endpoint of ['https://fcm.googleapis.com/fcm/send/abc', 'https://8.8.8.8/x',
    'https://[2001:4860:4860::8888]/x', 'https://[::ffff:8.8.8.8]/x', 'https://172.32.0.1/x']) {
    const res = await subscribe(endpoint, '0');
    assert.equal(res.status, 201, `${endpoint}: ${res.text}`);
  }
  // the test stack's own setting (PUSH_ALLOW_PRIVATE=1) takes the loopback
  const allowed = await subscribe(good.endpoint, '1');
  assert.equal(allowed.status, 201, allowed.text);
});

test('the deliverer never connects to a private address (IPv4, IPv6, IPv4-mapped IPv6) unless PUSH_ALLOW_PRIVATE=1', async () => {
  const a = await newUser();
  const b = await newUser();
  const conv = await b.post('/api/users/me/conversations', { user_ids: [a.user.id] });
  assert.ok(conv.status === 201 || conv.status === 200, conv.text);
  const port = new URL(svc.origin).port;
  const v6port = v6.address().port;
  // Rows as an older server (or a name that resolved publicly then)
  // would have stored them: the deliverer must not trust what is stored.
  const k = svc.subscribe();
  const endpoints = [
    `http://127.0.0.1:${port}/push/${k.token}`,
    `http://[::ffff:127.0.0.1]:${port}/push/${k.token}`,
    `http://[::1]:${v6port}/push/${k.token}`,
    `http://localhost:${port}/push/${k.token}`,
  ];
  stack('deliver-kill');
  try {
    for (const e of endpoints) {
      await sql('INSERT INTO push_subscriptions (user_id, endpoint, p256dh, auth) VALUES ($1, $2, $3, $4)',
        [a.user.id, e, k.json.keys.p256dh, k.json.keys.auth]);
    }
    const m = await b.post(`/api/rooms/${conv.json.room_id}/messages`, { text: 'to the inside?' });
    assert.equal(m.status, 201, m.text);
    const before4 = svc.connections;
    const once = await deliverOnce({ PUSH_ALLOW_PRIVATE: '0' });
    assert.equal(once.status, 0, once.stderr);
    assert.equal(svc.connections - before4, 0, `no connection to 127.0.0.1 (IPv4 or mapped); log: ${once.stderr}`);
    assert.equal(v6Connections, 0, 'no connection to [::1]');
    assert.equal(svc.pushes.length, 0);
    // the refusal is recorded: logged with the address, the job done
    // with, and the unusable subscriptions dropped
    for (const addr of ['127.0.0.1', '::ffff:127.0.0.1', '::1']) {
      assert.ok(once.stderr.includes(`refused (not a public address: ${addr})`), `${addr} refused in: ${once.stderr}`);
    }
    assert.equal((await sql("SELECT count(*)::int AS n FROM outbox WHERE kind = 'push' AND (payload->>'message_id')::bigint = $1", [m.json.id]))[0].n, 0);
    assert.equal((await sql('SELECT count(*)::int AS n FROM push_subscriptions WHERE user_id = $1', [a.user.id]))[0].n, 0);

    // with PUSH_ALLOW_PRIVATE=1 the same kind of row is pushed to
    await sql('INSERT INTO push_subscriptions (user_id, endpoint, p256dh, auth) VALUES ($1, $2, $3, $4)',
      [a.user.id, endpoints[0], k.json.keys.p256dh, k.json.keys.auth]);
    const vapid = await a.get(`${SUBS}/vapid-key`);
    svc.expectKey = vapid.json.public_key;
    const m2 = await b.post(`/api/rooms/${conv.json.room_id}/messages`, { text: 'to the test service' });
    assert.equal(m2.status, 201, m2.text);
    // a new collapse window, so that m2 is pushed on its own
    await sql('DELETE FROM push_rooms WHERE user_id = $1', [a.user.id]);
    const again = await deliverOnce({ PUSH_ALLOW_PRIVATE: '1' });
    assert.equal(again.status, 0, again.stderr);
    const got = await svc.waitFor((x) => x.payload.message_id === m2.json.id, 5000);
    assert.equal(got.length, 1, `pushed with the setting on; log: ${again.stderr}`);
    assert.deepEqual(svc.errors, []);
  } finally {
    stack('deliver-start');
  }
});
