// digest.test.mjs - the offline digest (easychat-deliver; the test stack has
// DIGEST_AFTER_SECONDS=3, DIGEST_CHECK_SECONDS=1, EMAIL_VERIFY=1): one mail
// of unread mentions and DMs to a verified address away for the window, at
// most one a window, newer messages only, no text when the user hides it,
// none to an unverified address or a connected user; more users than a
// pass takes (DELIVER_DIGEST_BATCH) are all reached, pass after pass, and
// the candidates are found through the queue's indexes.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { Client, newUser, unique, sleep, stack } from '../lib/api.mjs';
import { connect } from '../lib/ws.mjs';
import { mailsTo, waitMails, verifyToken } from '../lib/mail.mjs';
import { sql, closeDb, planWithoutSeqScans } from '../lib/db.mjs';

const open = [];
after(async () => {
  for (const w of open) w.close();
  await closeDb();
});

const DIGEST = /^Subject: Easy Chat: mentions and direct messages/m;
const VERIFY = /\/verify-email#token=/;

/** A user with an address, verified unless `verified` is false. */
async function away(verified = true) {
  const email = `${unique('d')}@example.org`;
  const c = new Client();
  await c.signup(unique(), 'correct horse battery', { email });
  if (verified) {
    const token = verifyToken((await waitMails(email, 1, 10000, VERIFY))[0]);
    assert.equal((await new Client().post('/api/auth/email/verify', { token })).status, 204);
  }
  return { c, email };
}

async function dmRoom(from, to) {
  const res = await from.post('/api/users/me/conversations', { user_ids: [to.user.id] });
  assert.ok(res.status === 201 || res.status === 200, res.text);
  return res.json.room_id;
}

async function say(c, room, text) {
  const res = await c.post(`/api/rooms/${room}/messages`, { text });
  assert.equal(res.status, 201, res.text);
  return res.json;
}

test('a user away gets one digest of unread DMs and mentions, then only newer ones a window later', async () => {
  const { c: a, email } = await away();
  const b = await newUser();
  const room = await dmRoom(b, a);
  const g = await b.post('/api/groups', { name: unique('g'), is_public: true });
  assert.equal(g.status, 201, g.text);
  assert.equal((await a.post(`/api/groups/${g.json.id}/join`)).status, 200);
  // back to back: the first alone, a pass later, would be a digest of one
  await say(b, room, 'are you there? zebrafish');
  await say(b, g.json.topics[0].rooms[0].id, `@${a.user.username} look at this`);

  const [mail] = await waitMails(email, 1, 15000, DIGEST);
  assert.ok(mail, 'no digest arrived');
  assert.match(mail, /1 mention\(s\) and 1 direct message\(s\)/);
  assert.match(mail, /zebrafish/);
  assert.match(mail, /look at this/);
  // at most one a window: a new DM now waits for the next one
  await say(b, room, 'second try kingfisher');
  await sleep(1500);
  assert.equal(mailsTo(email, DIGEST).length, 1, 'one digest per window');
  const mails = await waitMails(email, 2, 15000, DIGEST);
  assert.equal(mails.length, 2);
  assert.match(mails[1], /0 mention\(s\) and 1 direct message\(s\)/);
  assert.match(mails[1], /kingfisher/);
  assert.doesNotMatch(mails[1], /zebrafish/, 'only messages newer than the last digest');
  await sleep(4500);
  assert.equal(mailsTo(email, DIGEST).length, 2, 'nothing new, no mail');
  assert.equal((await sql("SELECT count(*)::int AS n FROM outbox WHERE payload->>'to' = $1", [email]))[0].n, 0);
});

test('hide message text: counts only', async () => {
  const { c: a, email } = await away();
  assert.equal((await a.put('/api/users/me/notification-settings/defaults', { hide_text: true })).status, 200);
  const b = await newUser();
  await say(b, await dmRoom(b, a), 'secret words platypus');
  const [mail] = await waitMails(email, 1, 15000, DIGEST);
  assert.ok(mail, 'no digest arrived');
  assert.match(mail, /1 direct message\(s\)/);
  assert.doesNotMatch(mail, /platypus/);
});

test('no digest to an unverified address, to a connected user, or for read messages', async () => {
  const unverified = await away(false);
  const online = await away();
  const read = await away();
  const w = await connect({ cookie: online.c.cookieHeader() });
  open.push(w);
  await w.next((e) => e.type === 'hello', 3000);
  const b = await newUser();
  const sent = [];
  for (const u of [unverified, online, read]) {
    const room = await dmRoom(b, u.c);
    sent.push({ room, msg: await say(b, room, 'hello there') });
  }
  // read: the marker moves past the message
  const mark = await read.c.post(`/api/rooms/${sent[2].room}/read`, { last_read_id: sent[2].msg.id });
  assert.ok(mark.status < 300, mark.text);
  await sleep(6000);
  for (const u of [unverified, online, read]) assert.equal(mailsTo(u.email, DIGEST).length, 0, u.email);
});

/** One pass of the deliverer, as cron would run it. */
function deliverOnce(extra = {}) {
  const once = spawnSync(path.join(process.env.BIN_DIR, 'easychat-deliver'), ['--once'], {
    encoding: 'utf8', timeout: 30000,
    env: { PATH: process.env.PATH, EASYCHAT_ENV: process.env.EASYCHAT_ENV,
      ASAN_OPTIONS: process.env.ASAN_OPTIONS ?? '', LSAN_OPTIONS: process.env.LSAN_OPTIONS ?? '',
      UBSAN_OPTIONS: process.env.UBSAN_OPTIONS ?? '', ...extra } });
  assert.equal(once.status, 0, once.stderr);
  return once.stderr;
}

test('a digest queued by a deliverer that then stops is sent by the next one, once', async () => {
  const { c: a, email } = await away();
  const b = await newUser();
  stack('deliver-kill');
  try {
    await say(b, await dmRoom(b, a), 'while nobody delivers');
    await sleep(3500);
    deliverOnce(); // queues the digest, then exits before sending it
    assert.equal((await sql("SELECT count(*)::int AS n FROM outbox WHERE payload->>'to' = $1", [email]))[0].n, 1, 'the digest is durable');
    assert.equal(mailsTo(email, DIGEST).length, 0);
    deliverOnce(); // sends it; the window keeps another out
    deliverOnce();
    assert.equal((await waitMails(email, 1, 10000, DIGEST)).length, 1);
    await sleep(500);
    assert.equal(mailsTo(email, DIGEST).length, 1, 'sent once');
    assert.equal((await sql("SELECT count(*)::int AS n FROM outbox WHERE payload->>'to' = $1", [email]))[0].n, 0);
  } finally {
    stack('deliver-start');
  }
});

test('more users than a batch all get their digest, pass after pass; connected ones do not hold the batch', async () => {
  // regression: the candidates were the first DELIVER_DIGEST_BATCH users
  // by id with something unread, so as many connected users (skipped,
  // never stamped) with lower ids kept everyone after them waiting
  const b = await newUser();
  const online = [await away(), await away()];
  for (const u of online) {
    const w = await connect({ cookie: u.c.cookieHeader() });
    open.push(w);
    await w.next((e) => e.type === 'hello', 3000);
  }
  const offline = [];
  for (let i = 0; i < 5; i++) offline.push(await away());
  // the passes are run here, one at a time
  stack('deliver-kill');
  try {
    for (const u of [...online, ...offline]) await say(b, await dmRoom(b, u.c), 'one batch at a time');
    await sleep(3500); // away for the window (DIGEST_AFTER_SECONDS=3)
    const stamped = async (us) => (await sql('SELECT count(*)::int AS n FROM users WHERE id = ANY($1::bigint[]) AND digest_sent_at IS NOT NULL',
      [us.map((u) => u.c.user.id)]))[0].n;
    const perPass = [];
    for (let pass = 0; pass < 8 && (await stamped(offline)) < offline.length; pass++) {
      const log = deliverOnce({ DELIVER_DIGEST_BATCH: '2' });
      perPass.push((log.match(/digest queued for user/g) || []).length);
    }
    assert.ok(perPass.every((n) => n <= 2), `at most a batch (2) a pass: ${perPass}`);
    assert.equal(await stamped(offline), offline.length, `every user away got a digest (per pass: ${perPass})`);
    assert.ok(perPass.length >= 3, `5 users took 3 passes or more: ${perPass}`);
    assert.equal(await stamped(online), 0, 'none to a connected user');
    deliverOnce(); // sends the mails queued by the last pass
    for (const u of offline) assert.equal((await waitMails(u.email, 1, 10000, DIGEST)).length, 1, u.email);
  } finally {
    stack('deliver-start');
  }
});

test('the digest candidates come from the queue, not from a scan of every user', async () => {
  // users and profiles are looked up per queued user, walking the queue
  // in order until a batch is found
  const plan = await planWithoutSeqScans('SELECT * FROM ec_digest_candidates(3600, true, 100)');
  assert.doesNotMatch(plan, /Seq Scan/, plan);
  assert.match(plan, /Index (Only )?Scan using digest_queue_order/, `the queue walked in order: ${plan}`);
  assert.match(plan, /Index Cond: \(id = q\.user_id\)/, `users by id of a queued user: ${plan}`);
  assert.match(plan, /on profiles p\s+Index Cond: \(user_id = (q\.user_id|u\.id)\)/, `profiles by user of a queued user: ${plan}`);
  assert.doesNotMatch(plan, /ec_digest_items/, plan);
});
