// push-members.test.mjs - the push probe of a post reads push_members
// (migration 0110: group members with a push subscription, kept by
// triggers; db/functions/37_push.sql) instead of every member of the
// group: a member with push and level 'all' is pushed a plain message
// whichever came first, the join or the subscription; the table follows
// unsubscribing, leaving, kicks, group deletion, and a join racing the
// user's first subscription.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { newUser, unique } from '../lib/api.mjs';
import { sql, closeDb } from '../lib/db.mjs';
import { startPushService } from '../lib/pushservice.mjs';

let svc;
before(async () => {
  svc = await startPushService();
});
after(async () => {
  await svc.close();
  await closeDb();
});

const SUBS = '/api/users/me/push-subscriptions';
const LEVELS = '/api/users/me/notification-settings/groups';

async function subscribe(c) {
  if (!svc.expectKey) {
    const k = await c.get(`${SUBS}/vapid-key`);
    assert.equal(k.status, 200, k.text);
    svc.expectKey = k.json.public_key;
  }
  const sub = svc.subscribe();
  const res = await c.post(SUBS, sub.json);
  assert.equal(res.status, 201, res.text);
  sub.id = res.json.id;
  return sub;
}

async function newGroup(owner) {
  const res = await owner.post('/api/groups', { name: unique('g'), is_public: true });
  assert.equal(res.status, 201, res.text);
  return { id: res.json.id, room: res.json.topics[0].rooms[0].id };
}

async function join(c, g) {
  const res = await c.post(`/api/groups/${g.id}/join`);
  assert.equal(res.status, 200, res.text);
}

/** Every pair push_members should hold for these users, and what it holds. */
async function pairs(users) {
  const ids = users.map((u) => u.user.id);
  const want = await sql(`SELECT DISTINCT gm.group_id::text, gm.user_id::text
    FROM group_members gm JOIN push_subscriptions s ON s.user_id = gm.user_id
    WHERE gm.user_id = ANY ($1) ORDER BY 1, 2`, [ids]);
  const have = await sql(`SELECT group_id::text, user_id::text FROM push_members
    WHERE user_id = ANY ($1) ORDER BY 1, 2`, [ids]);
  return { want, have };
}

async function assertPairs(users, what) {
  const { want, have } = await pairs(users);
  assert.deepEqual(have, want, what);
}

test('a member with push and level "all" gets plain messages, whether they joined or subscribed first', async () => {
  const owner = await newUser();
  const g = await newGroup(owner);
  const early = await newUser(); // subscribes, then joins
  const earlySub = await subscribe(early);
  await join(early, g);
  assert.equal((await early.put(`${LEVELS}/${g.id}`, { level: 'all' })).status, 200);
  const late = await newUser(); // joins, then subscribes
  await join(late, g);
  assert.equal((await late.put(`${LEVELS}/${g.id}`, { level: 'all' })).status, 200);
  const lateSub = await subscribe(late);
  // 'all' from a room setting, from the user's defaults; a subscribed
  // member at the built-in 'mentions' gets no plain message.
  const byRoom = await newUser();
  const byRoomSub = await subscribe(byRoom);
  await join(byRoom, g);
  assert.equal((await byRoom.put(`/api/users/me/notification-settings/rooms/${g.room}`, { level: 'all' })).status, 200);
  const byDefault = await newUser();
  const byDefaultSub = await subscribe(byDefault);
  await join(byDefault, g);
  assert.equal((await byDefault.put('/api/users/me/notification-settings/defaults', { group_level: 'all' })).status, 200);
  const quiet = await newUser();
  const quietSub = await subscribe(quiet);
  await join(quiet, g);
  await assertPairs([owner, early, late, byRoom, byDefault, quiet], 'every subscribed member is in push_members, the owner (no push) is not');
  // One plain message (a second one within PUSH_COLLAPSE_SECONDS would
  // be collapsed into a summary): each of the four is pushed it.
  const res = await owner.post(`/api/rooms/${g.room}/messages`, { text: 'for everyone at all' });
  assert.equal(res.status, 201, res.text);
  for (const [sub, who] of [[earlySub, 'subscribed, then joined'], [lateSub, 'joined, then subscribed'],
    [byRoomSub, 'the room at all'], [byDefaultSub, 'default all']]) {
    const [p] = await svc.waitFor((x) => x.sub === sub && x.payload.message_id === res.json.id);
    assert.ok(p, `no push for ${who}; service errors: ${svc.errors.join('; ')}`);
  }
  assert.equal(svc.pushes.filter((x) => x.sub === quietSub).length, 0, 'level mentions: no plain message pushed');
  // Each way to 'all' makes the job on its own (above, the group setting
  // of the first two did): a room setting, the user's defaults.
  for (const [c, sub, how] of [[byRoom, byRoomSub, 'room'], [byDefault, byDefaultSub, 'defaults']]) {
    const alone = await newGroup(owner);
    await join(c, alone);
    await join(quiet, alone);
    if (how === 'room') assert.equal((await c.put(`/api/users/me/notification-settings/rooms/${alone.room}`, { level: 'all' })).status, 200);
    const m = await owner.post(`/api/rooms/${alone.room}/messages`, { text: `only by the ${how}` });
    assert.equal(m.status, 201, m.text);
    const [p] = await svc.waitFor((x) => x.sub === sub && x.payload.message_id === m.json.id);
    assert.ok(p, `no push when only the ${how} says all; service errors: ${svc.errors.join('; ')}`);
  }
  assert.equal(svc.pushes.filter((x) => x.sub === quietSub).length, 0, 'level mentions: no plain message pushed');
  // The sender's own subscription never makes a job for their own post.
  await subscribe(owner);
  const own = await newGroup(owner);
  await assertPairs([owner], 'the owner of both groups, now subscribed');
  const solo = await owner.post(`/api/rooms/${own.room}/messages`, { text: 'alone' });
  assert.equal(solo.status, 201, solo.text);
  assert.equal((await sql("SELECT count(*)::int AS n FROM outbox WHERE kind = 'push' AND (payload->>'message_id')::bigint = $1",
    [solo.json.id]))[0].n, 0, 'only the sender has push there: no job');
});

test('push_members follows unsubscribing, leaving, kicks and group deletion', async () => {
  const owner = await newUser();
  const g = await newGroup(owner);
  const g2 = await newGroup(owner);
  const a = await newUser();
  const b = await newUser();
  for (const c of [a, b]) {
    await join(c, g);
    await join(c, g2);
  }
  const users = [owner, a, b];
  const a1 = await subscribe(a);
  const a2 = await subscribe(a);
  await subscribe(b);
  await assertPairs(users, 'a and b in both groups');
  assert.equal((await a.del(`${SUBS}/${a1.id}`)).status, 204);
  await assertPairs(users, 'a keeps one subscription: still in both');
  assert.equal((await a.del(`${SUBS}/${a2.id}`)).status, 204);
  await assertPairs(users, 'a unsubscribed everywhere: gone from both');
  const left = await b.post(`/api/groups/${g.id}/leave`);
  assert.equal(left.status, 204, left.text);
  await assertPairs(users, 'b left g');
  const kick = await owner.del(`/api/groups/${g2.id}/members/${b.user.id}`);
  assert.equal(kick.status, 204, kick.text);
  await assertPairs(users, 'b kicked from g2');
  await join(b, g);
  await assertPairs(users, 'b back in g');
  const gone = await owner.del(`/api/groups/${g.id}`);
  assert.equal(gone.status, 204, gone.text);
  await assertPairs(users, 'g deleted');
  assert.equal((await sql('SELECT count(*)::int AS n FROM push_members WHERE group_id = $1', [g.id]))[0].n, 0);
});

test('a join racing the user\'s first subscription leaves the pair in push_members', async () => {
  const owner = await newUser();
  const users = [];
  const groups = [];
  for (let i = 0; i < 8; i++) {
    users.push(await newUser());
    groups.push(await newGroup(owner));
  }
  // Each user joins a group and subscribes at the same moment; then a
  // subscription goes while another is added, at the same moment.
  await Promise.all(users.map((c, i) => Promise.all([join(c, groups[i]), subscribe(c)])));
  await assertPairs(users, 'join and first subscription at once');
  const subs = await Promise.all(users.map((c) => subscribe(c)));
  const [{ n }] = await sql('SELECT count(*)::int AS n FROM push_subscriptions WHERE user_id = ANY ($1)', [users.map((c) => c.user.id)]);
  assert.equal(n, 16);
  await Promise.all(users.map((c, i) => Promise.all([c.del(`${SUBS}/${subs[i].id}`), subscribe(c)])));
  await assertPairs(users, 'one subscription removed while one was added');
});
