// push-crash.test.mjs - a deliverer killed (kill -9) while the push
// service has a push in hand but has not taken it (no answer yet) loses
// no push: the job is taken again when its lease ends and the push, or
// the room's summary, is sent then. At least once (common/push.c
// push_deliver): the push service's Topic and the service worker's
// per-room notification tag fold a repeat into one. The fake push
// service holds the push ({hold} answer, tests/lib/pushservice.mjs), so
// the kill lands between the deliverer's start of the send and the
// service taking it, the window where a push recorded before sending was
// lost for good.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { newUser, sleep, stack } from '../lib/api.mjs';
import { sql, closeDb } from '../lib/db.mjs';
import { startPushService } from '../lib/pushservice.mjs';

const SUBS = '/api/users/me/push-subscriptions';
let svc;

before(async () => { svc = await startPushService(); });
after(async () => {
  await svc.close();
  await closeDb();
});

async function until(pred, ms, what) {
  const end = Date.now() + ms;
  while (!(await pred())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** b with push on, a DM between a and b; returns { a, b, sub, room }. */
async function dmWithPush() {
  const a = await newUser();
  const b = await newUser();
  svc.expectKey = (await b.get(`${SUBS}/vapid-key`)).json.public_key;
  const sub = svc.subscribe();
  const res = await b.post(SUBS, sub.json);
  assert.equal(res.status, 201, res.text);
  const conv = await a.post('/api/users/me/conversations', { user_ids: [b.user.id] });
  assert.ok(conv.status === 201 || conv.status === 200, conv.text);
  return { a, b, sub, room: conv.json.room_id };
}

async function post(c, room, text) {
  const m = await c.post(`/api/rooms/${room}/messages`, { text });
  assert.equal(m.status, 201, m.text);
  return m.json;
}

/** Kills the deliverer (SIGKILL) once the push service holds `n` pushes. */
async function killWhileHeld(n) {
  await until(() => svc.held >= n, 15000, 'the push to reach the push service');
  stack('deliver-kill');
  await until(() => svc.dropped.length >= n, 5000, 'the held push to be dropped with the connection');
}

test('a deliverer killed while sending a push loses no push', async () => {
  const { a, b, sub, room } = await dmWithPush();
  svc.script(sub, [{ status: 201, hold: 30000 }]);
  const held = svc.held;
  try {
    const m = await post(a, room, 'do not lose me');
    await killWhileHeld(held + 1);
    assert.equal(svc.pushes.filter((x) => x.sub === sub).length, 0, 'not taken before the kill');
    // another deliverer takes the job when its lease ends
    // (DELIVER_LEASE_SECONDS=6 in the test stack)
    stack('deliver-start');
    const got = await svc.waitFor((x) => x.sub === sub && x.payload.message_id === m.id, 20000);
    const outbox = await sql("SELECT attempts, last_error FROM outbox WHERE kind = 'push' AND (payload->>'message_id')::bigint = $1", [m.id]);
    assert.equal(got.length, 1, `the push arrived after the crash (outbox: ${JSON.stringify(outbox)})`);
    assert.equal(got[0].payload.type, 'message', 'the message itself, not folded into a summary');
    assert.equal(got[0].headers.topic, `room${room}`, 'a repeat would replace it at the push service');
    // the retried job is the same message again, not a second one in the
    // collapse window: no summary is scheduled for it
    const [{ n }] = await sql("SELECT count(*)::int AS n FROM outbox WHERE kind = 'push' AND payload->>'user_id' = $1::text", [b.user.id]);
    assert.equal(n, 0, 'no summary job for the retried message');
    assert.deepEqual(svc.errors, []);
  } finally {
    stack('deliver-start');
  }
});

test('a deliverer killed while sending a summary loses no summary', async () => {
  const { a, b, sub, room } = await dmWithPush();
  // the first message is pushed now; the second, inside the collapse
  // window (PUSH_COLLAPSE_SECONDS=3 in the test stack), is counted for
  // the summary, whose push is held and the deliverer killed
  svc.script(sub, [{ status: 201 }, { status: 201, hold: 30000 }]);
  const held = svc.held;
  try {
    const m1 = await post(a, room, 'first');
    await svc.waitFor((x) => x.sub === sub && x.payload.message_id === m1.id);
    const m2 = await post(a, room, 'second');
    await killWhileHeld(held + 1);
    assert.equal(svc.dropped.at(-1).payload.type, 'summary', 'the kill fell in the summary');
    stack('deliver-start');
    const got = await svc.waitFor((x) => x.sub === sub && x.payload.type === 'summary', 20000);
    const rooms = await sql('SELECT pending FROM push_rooms WHERE user_id = $1', [b.user.id]);
    assert.equal(got.length, 1, `the summary arrived after the crash (push_rooms: ${JSON.stringify(rooms)})`);
    assert.equal(got[0].payload.count, 1);
    assert.equal(got[0].payload.message_id, m2.id);
    await until(async () => (await sql('SELECT pending FROM push_rooms WHERE user_id = $1', [b.user.id]))[0].pending === 0, 5000, 'the count to be reset once sent');
    assert.deepEqual(svc.errors, []);
  } finally {
    stack('deliver-start');
  }
});
