// moderation.test.mjs - issue 13 item 7 against the real stack: bans
// (kick + no rejoin by join or invite, list, lift), timeouts (no posting,
// no reacting, no typing through the relay), slow mode per room, the
// per-user message rate limit (run as CGI with a small limit; the stack's
// is raised) and the audit log of a group, with role rules and bad input
// changing nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { Client, newUser, unique, assertError, sleep, REPO } from '../lib/api.mjs';
import { cgi } from '../lib/cgi.mjs';
import { connect } from '../lib/ws.mjs';
import { sql, closeDb } from '../lib/db.mjs';

const users = {};
before(async () => {
  for (const r of ['owner', 'admin', 'moderator', 'member', 'outsider']) users[r] = await newUser();
});
after(closeDb);

/** A fresh public group with each role held by its user, a plain member
 * `target` (new each time) and the first room. */
async function world() {
  const res = await users.owner.post('/api/groups', { name: unique('mod') });
  assert.equal(res.status, 201, res.text);
  const g = res.json;
  const target = await newUser();
  for (const [c, role] of [[users.admin, 'admin'], [users.moderator, 'moderator'], [users.member, 'member'], [target, 'member']]) {
    await sql('INSERT INTO group_members (group_id, user_id, role) VALUES ($1, $2, $3)', [g.id, c.user.id, role]);
  }
  return { g, target, room: g.topics[0].rooms[0].id, topic: g.topics[0].id };
}

const isMember = async (g, c) => (await sql('SELECT 1 FROM group_members WHERE group_id = $1 AND user_id = $2', [g.id, c.user.id])).length === 1;
const banned = async (g, c) => (await sql('SELECT 1 FROM group_bans WHERE group_id = $1 AND user_id = $2', [g.id, c.user.id])).length === 1;
const countMessages = async (room) => Number((await sql('SELECT count(*) AS n FROM messages WHERE room_id = $1', [room]))[0].n);

test('ban: removes the member, who cannot rejoin by join or invite until the ban is lifted', async () => {
  const w = await world();
  const { g, target } = w;
  const inv = await users.owner.post(`/api/groups/${g.id}/invites`, {});
  assert.equal(inv.status, 201, inv.text);
  const res = await users.moderator.put(`/api/groups/${g.id}/bans/${target.user.id}`, { reason: 'spam' });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json.user.id, target.user.id);
  assert.equal(res.json.banned_by.id, users.moderator.user.id);
  assert.equal(res.json.reason, 'spam');
  assert.ok(!(await isMember(g, target)), 'a ban kicks');
  // The banned user sees the group no more and cannot come back.
  assertError(assert, await target.get(`/api/groups/${g.id}`), 404, 'not_found');
  assertError(assert, await target.post(`/api/groups/${g.id}/join`), 403, 'forbidden');
  assertError(assert, await target.post(`/api/invites/${inv.json.code}/accept`), 403, 'forbidden');
  assert.ok(!(await isMember(g, target)));
  assert.equal((await sql('SELECT uses FROM invites WHERE code = $1', [inv.json.code]))[0].uses, 0, 'no use spent');
  // The list: moderators and up; a member 403, an outsider 404.
  const list = await users.admin.get(`/api/groups/${g.id}/bans`);
  assert.equal(list.status, 200, list.text);
  assert.deepEqual(list.json.items.map((b) => b.user.id), [target.user.id]);
  assert.equal(list.json.has_more, false);
  assertError(assert, await users.member.get(`/api/groups/${g.id}/bans`), 403, 'forbidden');
  assertError(assert, await users.outsider.get(`/api/groups/${g.id}/bans`), 404, 'not_found');
  // Banning again keeps the ban and changes the reason only.
  const again = await users.admin.put(`/api/groups/${g.id}/bans/${target.user.id}`, { reason: 'still spam' });
  assert.equal(again.status, 200, again.text);
  assert.equal(again.json.reason, 'still spam');
  assert.equal(again.json.banned_by.id, users.moderator.user.id);
  // Lifting: a member may not; a moderator may; then joining works.
  assertError(assert, await users.member.del(`/api/groups/${g.id}/bans/${target.user.id}`), 403, 'forbidden');
  assert.equal((await users.moderator.del(`/api/groups/${g.id}/bans/${target.user.id}`)).status, 204);
  assertError(assert, await users.moderator.del(`/api/groups/${g.id}/bans/${target.user.id}`), 404, 'not_found');
  assert.equal((await target.post(`/api/groups/${g.id}/join`)).status, 200);
  assert.ok(await isMember(g, target));
});

test('ban: role rules and bad input change nothing', async () => {
  const { g, target } = await world();
  // A moderator cannot ban an admin, nor anyone ban themselves or the owner.
  assertError(assert, await users.moderator.put(`/api/groups/${g.id}/bans/${users.admin.user.id}`, {}), 403, 'forbidden');
  assertError(assert, await users.moderator.put(`/api/groups/${g.id}/bans/${users.moderator.user.id}`, {}), 403, 'forbidden');
  assertError(assert, await users.admin.put(`/api/groups/${g.id}/bans/${users.owner.user.id}`, {}), 403, 'forbidden');
  assertError(assert, await users.member.put(`/api/groups/${g.id}/bans/${target.user.id}`, {}), 403, 'forbidden');
  assertError(assert, await users.outsider.put(`/api/groups/${g.id}/bans/${target.user.id}`, {}), 404, 'not_found');
  assertError(assert, await new Client().put(`/api/groups/${g.id}/bans/${target.user.id}`, {}), 401);
  const long = await users.owner.put(`/api/groups/${g.id}/bans/${target.user.id}`, { reason: 'x'.repeat(201) });
  assertError(assert, long, 400, 'validation_failed');
  assert.ok(long.json.error.fields.reason);
  const extra = await users.owner.put(`/api/groups/${g.id}/bans/${target.user.id}`, { until: 5 });
  assertError(assert, extra, 400, 'validation_failed');
  assertError(assert, await users.owner.put(`/api/groups/${g.id}/bans/999999999`, {}), 404, 'not_found');
  assert.ok(await isMember(g, target));
  assert.ok(!(await banned(g, target)));
  for (const who of ['admin', 'moderator', 'owner']) assert.ok(await isMember(g, users[who]));
  // A user who is not a member can be banned before they ever join.
  const stranger = await newUser();
  assert.equal((await users.moderator.put(`/api/groups/${g.id}/bans/${stranger.user.id}`, {})).status, 200);
  assertError(assert, await stranger.post(`/api/groups/${g.id}/join`), 403, 'forbidden');
});

test('timeout: no posting until lifted; moderators only, on lower roles', async () => {
  const { g, target, room } = await world();
  assert.equal((await target.post(`/api/rooms/${room}/messages`, { text: 'before' })).status, 201);
  const res = await users.moderator.put(`/api/groups/${g.id}/members/${target.user.id}/timeout`, { seconds: 600 });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json.user.id, target.user.id);
  const until = Date.parse(res.json.timed_out_until);
  assert.ok(until > Date.now() + 590e3 && until < Date.now() + 610e3, res.json.timed_out_until);
  const n = await countMessages(room);
  const refused = await target.post(`/api/rooms/${room}/messages`, { text: 'during' });
  assertError(assert, refused, 403, 'forbidden');
  assert.match(refused.json.error.message, /timed out/);
  assert.equal(await countMessages(room), n, 'nothing posted');
  // Others still post; the member list shows the timeout.
  assert.equal((await users.member.post(`/api/rooms/${room}/messages`, { text: 'fine' })).status, 201);
  const members = await users.member.get(`/api/groups/${g.id}/members?limit=100`);
  assert.equal(members.json.items.find((m) => m.user.id === target.user.id).timed_out_until, res.json.timed_out_until);
  assert.equal(members.json.items.find((m) => m.user.id === users.member.user.id).timed_out_until, null);
  // Rules and input.
  assertError(assert, await users.moderator.put(`/api/groups/${g.id}/members/${users.admin.user.id}/timeout`, { seconds: 60 }), 403, 'forbidden');
  assertError(assert, await users.member.put(`/api/groups/${g.id}/members/${users.moderator.user.id}/timeout`, { seconds: 60 }), 403, 'forbidden');
  assertError(assert, await users.moderator.put(`/api/groups/${g.id}/members/${target.user.id}/timeout`, { seconds: 0 }), 400, 'validation_failed');
  assertError(assert, await users.moderator.put(`/api/groups/${g.id}/members/${target.user.id}/timeout`, {}), 400, 'validation_failed');
  assertError(assert, await users.moderator.put(`/api/groups/${g.id}/members/${users.outsider.user.id}/timeout`, { seconds: 60 }), 404, 'not_found');
  // Lifted: posting works again.
  const lifted = await users.moderator.del(`/api/groups/${g.id}/members/${target.user.id}/timeout`);
  assert.equal(lifted.status, 200, lifted.text);
  assert.equal(lifted.json.timed_out_until, null);
  assert.equal((await target.post(`/api/rooms/${room}/messages`, { text: 'after' })).status, 201);
});

test('timeout: no reacting either, with the same error as posting; taking a reaction back still works', async () => {
  const { g, target, room } = await world();
  const msg = (await users.member.post(`/api/rooms/${room}/messages`, { text: 'react to me' })).json;
  const party = `/api/messages/${msg.id}/reactions/${encodeURIComponent('🎉')}/me`;
  assert.equal((await target.put(party)).status, 200);
  assert.equal((await users.moderator.put(`/api/groups/${g.id}/members/${target.user.id}/timeout`, { seconds: 600 })).status, 200);
  const posting = await target.post(`/api/rooms/${room}/messages`, { text: 'during' });
  assertError(assert, posting, 403, 'forbidden');
  const grin = `/api/messages/${msg.id}/reactions/${encodeURIComponent('😀')}/me`;
  const reacting = await target.put(grin);
  assertError(assert, reacting, 403, 'forbidden');
  assert.equal(reacting.json.error.message, posting.json.error.message);
  const rows = async () => (await sql('SELECT emoji FROM message_reactions WHERE message_id = $1 AND user_id = $2', [msg.id, target.user.id])).length;
  assert.equal(await rows(), 1, 'nothing added');
  // Taking one's own reaction back adds nothing: allowed.
  assert.equal((await target.del(party)).status, 200);
  assert.equal(await rows(), 0);
  // Others react; once lifted, the member reacts again.
  assert.equal((await users.member.put(grin)).status, 200);
  assert.equal((await users.moderator.del(`/api/groups/${g.id}/members/${target.user.id}/timeout`)).status, 200);
  assert.equal((await target.put(grin)).status, 200);
});

test('timeout: the relay drops typing from a timed-out member', async () => {
  const { g, target, room } = await world();
  const wt = await connect({ cookie: target.cookieHeader() });
  const wm = await connect({ cookie: users.member.cookieHeader() });
  await wt.next((e) => e.type === 'hello', 3000);
  await wm.next((e) => e.type === 'hello', 3000);
  wm.send({ type: 'focus', group_id: g.id });
  await sleep(100);
  wt.send({ type: 'typing', room_id: room, is_typing: true });
  await wm.next((e) => e.type === 'typing' && e.user_id === target.user.id, 2000);
  wt.send({ type: 'typing', room_id: room, is_typing: false });
  await wm.next((e) => e.type === 'typing' && e.user_id === target.user.id && !e.is_typing, 2000);
  assert.equal((await users.moderator.put(`/api/groups/${g.id}/members/${target.user.id}/timeout`, { seconds: 60 })).status, 200);
  await sleep(2100); // past the relay's per-room typing interval
  wt.send({ type: 'typing', room_id: room, is_typing: true });
  await sleep(500);
  assert.equal(wm.events.filter((e) => e.type === 'typing' && e.user_id === target.user.id).length, 2, 'nothing after the timeout');
  await wt.close();
  await wm.close();
});

/** Typing frames the relays checked in PostgreSQL so far (all relays). */
async function typingChecks() {
  let n = 0;
  for (const url of (process.env.RELAY_METRICS_URLS || '').split(',').filter(Boolean)) {
    const m = /^easychat_relay_typing_checks_total (\d+)$/m.exec(await (await fetch(url)).text());
    assert.ok(m, `no typing_checks_total at ${url}`);
    n += Number(m[1]);
  }
  return n;
}

test('timeout: the relay reuses a typing check, and a timeout set or lifted after it applies at once (member.updated)', async () => {
  const { g, target, room } = await world();
  const wt = await connect({ cookie: target.cookieHeader() });
  const wm = await connect({ cookie: users.member.cookieHeader() });
  await wt.next((e) => e.type === 'hello', 3000);
  await wm.next((e) => e.type === 'hello', 3000);
  wm.send({ type: 'focus', group_id: g.id });
  await sleep(100);
  const typing = () => wm.events.filter((e) => e.type === 'typing' && e.user_id === target.user.id);
  const updated = (c) => wt.next((e) => e.type === 'member.updated' && e.member.user.id === target.user.id && c(e.member), 3000);
  const checks = await typingChecks();
  wt.send({ type: 'typing', room_id: room, is_typing: true });
  await wm.next((e) => e.type === 'typing' && e.user_id === target.user.id, 2000);
  wt.send({ type: 'typing', room_id: room, is_typing: false });
  await wm.next((e) => e.type === 'typing' && e.user_id === target.user.id && !e.is_typing, 2000);
  assert.equal(await typingChecks() - checks, 1, 'the stop reused the start\'s check');

  // Timed out: the kept check goes with the event, the next start (a
  // start may follow a stop at once) is dropped without waiting for it to
  // expire.
  assert.equal((await users.moderator.put(`/api/groups/${g.id}/members/${target.user.id}/timeout`, { seconds: 60 })).status, 200);
  await updated((m) => m.timed_out_until);
  wt.send({ type: 'typing', room_id: room, is_typing: true });
  await sleep(500);
  assert.equal(typing().length, 2, 'nothing once timed out');
  assert.equal(await typingChecks() - checks, 2, 'asked again after member.updated');

  // Lifted: the stop of that start is relayed at once.
  assert.equal((await users.moderator.del(`/api/groups/${g.id}/members/${target.user.id}/timeout`)).status, 200);
  await updated((m) => !m.timed_out_until);
  wt.send({ type: 'typing', room_id: room, is_typing: false });
  await wm.next((e) => e.type === 'typing' && e.user_id === target.user.id && typing().length === 3, 2000);
  assert.equal(typing()[2].is_typing, false);
  await wt.close();
  await wm.close();
});

test('slow mode: a member waits between messages; moderators are exempt; a retry is still answered', async () => {
  const { g, room } = await world();
  assertError(assert, await users.member.put(`/api/rooms/${room}/slow-mode`, { seconds: 30 }), 403, 'forbidden');
  assertError(assert, await users.outsider.put(`/api/rooms/${room}/slow-mode`, { seconds: 30 }), 404, 'not_found');
  for (const bad of [{ seconds: -1 }, { seconds: 21601 }, {}, { seconds: 'x' }]) {
    assertError(assert, await users.moderator.put(`/api/rooms/${room}/slow-mode`, bad), 400, 'validation_failed');
  }
  const set = await users.moderator.put(`/api/rooms/${room}/slow-mode`, { seconds: 30 });
  assert.equal(set.status, 200, set.text);
  assert.equal(set.json.slow_mode_seconds, 30);
  assert.equal((await users.member.get(`/api/rooms/${room}`)).json.slow_mode_seconds, 30);
  const first = await users.member.post(`/api/rooms/${room}/messages`, { text: 'one', nonce: 'slow-1' });
  assert.equal(first.status, 201, first.text);
  const n = await countMessages(room);
  const second = await users.member.post(`/api/rooms/${room}/messages`, { text: 'two' });
  assertError(assert, second, 429, 'rate_limited');
  const retry = Number(second.headers['retry-after']);
  assert.ok(retry >= 1 && retry <= 30, `Retry-After ${second.headers['retry-after']}`);
  assert.match(second.json.error.message, /[Ss]low mode/);
  assert.equal(await countMessages(room), n);
  // The same nonce again is a safe retry of the first message, not a new one.
  const again = await users.member.post(`/api/rooms/${room}/messages`, { text: 'one', nonce: 'slow-1' });
  assert.equal(again.status, 200, again.text);
  assert.equal(again.json.id, first.json.id);
  // Two posts of one member that wait on the same room lock (held here):
  // exactly one gets through, because the check runs after the lock in a
  // statement that sees the other's commit (a check in the statement that
  // waited would use its older snapshot and let both through).
  const racer = await newUser();
  await sql('INSERT INTO group_members (group_id, user_id) VALUES ($1, $2)', [g.id, racer.user.id]);
  const locker = new pg.Client({ host: process.env.DB_HOST, port: Number(process.env.DB_PORT),
    database: process.env.DB_NAME, user: process.env.DB_USER, password: process.env.DB_PASSWORD });
  await locker.connect();
  await locker.query('BEGIN');
  await locker.query('SELECT 1 FROM rooms WHERE id = $1 FOR UPDATE', [room]);
  const racing = Promise.all([0, 1].map((i) => racer.post(`/api/rooms/${room}/messages`, { text: `race ${i}` })));
  await sleep(700);
  await locker.query('COMMIT');
  await locker.end();
  const burst = await racing;
  assert.deepEqual(burst.map((r) => r.status).sort(), [201, 429], burst.map((r) => r.text).join('\n'));
  // Moderators and up are exempt.
  for (let i = 0; i < 2; i++) assert.equal((await users.moderator.post(`/api/rooms/${room}/messages`, { text: `m${i}` })).status, 201);
  // Turned off: the member posts again.
  assert.equal((await users.moderator.put(`/api/rooms/${room}/slow-mode`, { seconds: 0 })).status, 200);
  assert.equal((await users.member.post(`/api/rooms/${room}/messages`, { text: 'three' })).status, 201);
});

test('message rate limit: a burst over RATE_MESSAGES_PER_USER is refused with 429 and posts nothing', async () => {
  const { room } = await world();
  const u = users.member;
  const b = new Client();
  b.user = u.user;
  b.password = u.password;
  await b.useBearer();
  const env = { RATE_MESSAGES_PER_USER: '3/60' };
  const auth = { Authorization: `Bearer ${b.bearer}` };
  const post = (text) => cgi('rooms', { method: 'POST', path: `/api/rooms/${room}/messages`, json: { text }, headers: auth, env });
  let last;
  for (let i = 0; i < 3; i++) {
    last = await post(`burst ${i}`);
    assert.equal(last.status, 201, last.text);
  }
  const n = await countMessages(room);
  const res = await post('one too many');
  assert.equal(res.status, 429, res.text);
  assert.equal(res.json.error.code, 'rate_limited');
  const retry = Number(res.headers['retry-after']);
  assert.ok(retry >= 1 && retry <= 20, `Retry-After ${res.headers['retry-after']}`);
  assert.equal(await countMessages(room), n);
  // Other writes are not counted against the message bucket.
  const read = await cgi('rooms', { method: 'POST', path: `/api/rooms/${room}/read`, json: { last_read_id: last.json.id }, headers: auth, env });
  assert.ok(read.status < 300, read.text);
  // A malformed setting is logged and the default (10/10) stays.
  const bad = await cgi('rooms', { method: 'POST', path: `/api/rooms/${room}/messages`, json: { text: 'x' }, headers: auth, env: { RATE_MESSAGES_PER_USER: 'lots' } });
  assert.match(bad.stderr, /RATE_MESSAGES_PER_USER/);
});

test('audit log: each moderation step is recorded; owner and admins read it, paged', async () => {
  const { g, target, room, topic } = await world();
  const msg = await target.post(`/api/rooms/${room}/messages`, { text: 'to be removed' });
  assert.equal((await users.moderator.del(`/api/messages/${msg.json.id}`)).status, 204);
  const own = await users.member.post(`/api/rooms/${room}/messages`, { text: 'mine' });
  assert.equal((await users.member.del(`/api/messages/${own.json.id}`)).status, 204, 'own deletion: not audited');
  assert.equal((await users.moderator.put(`/api/groups/${g.id}/members/${target.user.id}/timeout`, { seconds: 60 })).status, 200);
  assert.equal((await users.moderator.del(`/api/groups/${g.id}/members/${target.user.id}/timeout`)).status, 200);
  assert.equal((await users.admin.patch(`/api/groups/${g.id}/members/${users.member.user.id}`, { role: 'moderator' })).status, 200);
  const name = unique('ren').slice(0, 30);
  assert.equal((await users.admin.patch(`/api/groups/${g.id}`, { name })).status, 200);
  assert.equal((await users.admin.patch(`/api/topics/${topic}`, { name: 'News' })).status, 200);
  assert.equal((await users.admin.patch(`/api/rooms/${room}`, { name: 'lobby' })).status, 200);
  assert.equal((await users.moderator.put(`/api/rooms/${room}/slow-mode`, { seconds: 5 })).status, 200);
  const inv = await users.admin.post(`/api/groups/${g.id}/invites`, {});
  assert.equal((await users.admin.del(`/api/invites/${inv.json.code}`)).status, 204);
  assert.equal((await users.moderator.del(`/api/groups/${g.id}/members/${target.user.id}`)).status, 204);
  assert.equal((await users.moderator.put(`/api/groups/${g.id}/bans/${target.user.id}`, { reason: 'r' })).status, 200);
  assert.equal((await users.moderator.del(`/api/groups/${g.id}/bans/${target.user.id}`)).status, 204);

  const res = await users.admin.get(`/api/groups/${g.id}/audit-log?limit=100`);
  assert.equal(res.status, 200, res.text);
  const items = res.json.items;
  assert.deepEqual(items.map((e) => e.action), [
    'member.unban', 'member.ban', 'member.kick', 'invite.revoke', 'invite.create', 'room.slow_mode',
    'room.rename', 'topic.rename', 'group.rename', 'member.role', 'member.timeout_lifted', 'member.timeout',
    'message.delete',
  ]);
  const by = (a) => items.find((e) => e.action === a);
  assert.equal(by('message.delete').actor.id, users.moderator.user.id);
  assert.equal(by('message.delete').target_user.id, target.user.id);
  assert.equal(by('message.delete').details.message_id, msg.json.id);
  assert.equal(by('member.role').details.role, 'moderator');
  assert.equal(by('member.role').target_user.id, users.member.user.id);
  assert.equal(by('group.rename').details.name, name);
  assert.equal(by('room.rename').details.name, 'lobby');
  assert.equal(by('room.slow_mode').details.seconds, 5);
  assert.equal(by('member.timeout').details.seconds, 60);
  assert.equal(by('member.ban').details.reason, 'r');
  assert.equal(by('invite.create').details.code, inv.json.code);
  assert.equal(by('member.kick').target_user.id, target.user.id);
  assert.match(by('member.kick').created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  // Paged.
  const p1 = await users.owner.get(`/api/groups/${g.id}/audit-log?limit=2`);
  assert.equal(p1.status, 200);
  assert.equal(p1.json.items.length, 2);
  assert.equal(p1.json.has_more, true);
  const p2 = await users.owner.get(`/api/groups/${g.id}/audit-log?limit=2&offset=12`);
  assert.deepEqual(p2.json.items.map((e) => e.action), ['message.delete']);
  assert.equal(p2.json.has_more, false);
  assertError(assert, await users.owner.get(`/api/groups/${g.id}/audit-log?limit=0`), 400, 'validation_failed');
  // Moderators and members may not read it; outsiders do not see it.
  assertError(assert, await users.member.get(`/api/groups/${g.id}/audit-log`), 403, 'forbidden');
  assertError(assert, await users.outsider.get(`/api/groups/${g.id}/audit-log`), 404, 'not_found');
});

test('every audit action of common/audit.h is in the API reference and worded by the SPA', () => {
  const header = fs.readFileSync(path.join(REPO, 'common/audit.h'), 'utf8');
  const actions = [...header.matchAll(/#define AUDIT_\w+\s+"([a-z_.]+)"/g)].map((m) => m[1]);
  assert.equal(actions.length, 13);
  const spec = fs.readFileSync(path.join(REPO, 'fcgi-apps/groups/openapi.yaml'), 'utf8');
  const spa = fs.readFileSync(path.join(REPO, 'htdocs/src/shared/api/moderation.ts'), 'utf8');
  for (const a of actions) {
    assert.ok(spec.includes(`\`${a}\``), `openapi.yaml lists ${a}`);
    assert.ok(spa.includes(`'${a}':`), `the SPA words ${a}`);
  }
});
