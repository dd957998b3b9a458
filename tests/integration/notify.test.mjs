// notify.test.mjs - notification settings (issue 14 item 1) against the
// real stack: /api/users/me/notification-settings validates, checks
// access to the group or room, keeps one user's settings from another,
// tells every device (notification_settings.updated), and the SQL
// functions every notifier of the server uses (notify_level,
// notify_hide_text) answer what the settings say.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { newUser, assertError, unique } from '../lib/api.mjs';
import { sql, closeDb } from '../lib/db.mjs';
import { connect } from '../lib/ws.mjs';

const BASE = '/api/users/me/notification-settings';
const open = [];
after(async () => {
  for (const w of open) w.ws.terminate();
  await closeDb();
});

async function group(owner, { isPublic = true } = {}, ...members) {
  const res = await owner.post('/api/groups', { name: unique('g'), is_public: isPublic });
  assert.equal(res.status, 201, res.text);
  for (const m of members) {
    const j = await m.post(`/api/groups/${res.json.id}/join`);
    assert.equal(j.status, 200, j.text);
  }
  return { id: res.json.id, room: res.json.topics[0].rooms[0].id };
}

async function dm(c, other) {
  const res = await c.post('/api/users/me/conversations', { user_ids: [other.user.id] });
  assert.ok(res.status === 201 || res.status === 200, res.text);
  return res.json;
}

async function level(c, room) {
  return (await sql('SELECT notify_level($1, $2) AS l', [c.user.id, room]))[0].l;
}

async function hideText(c) {
  return (await sql('SELECT notify_hide_text($1) AS h', [c.user.id]))[0].h;
}

async function settings(c) {
  const res = await c.get(BASE);
  assert.equal(res.status, 200, res.text);
  return res.json;
}

const inAnHour = () => new Date(Date.now() + 3600e3).toISOString();

test('built-in defaults: DMs all, group rooms mentions, text shown, sound on', async () => {
  const a = await newUser();
  const b = await newUser();
  const g = await group(a);
  const c = await dm(a, b);
  assert.deepEqual(await settings(a), {
    defaults: { group_level: 'mentions', dm_level: 'all', hide_text: false, sound: true },
    groups: [],
    rooms: [],
  });
  assert.equal(await level(a, g.room), 'mentions');
  assert.equal(await level(a, c.room_id), 'all');
  assert.equal(await hideText(a), false);
});

test('my defaults change what notify_level and notify_hide_text answer; DELETE restores them', async () => {
  const a = await newUser();
  const b = await newUser();
  const g = await group(a);
  const c = await dm(a, b);
  const res = await a.put(`${BASE}/defaults`, { group_level: 'all', dm_level: 'mentions', hide_text: true });
  assert.equal(res.status, 200, res.text);
  assert.deepEqual(res.json.defaults, { group_level: 'all', dm_level: 'mentions', hide_text: true, sound: true });
  assert.equal(await level(a, g.room), 'all');
  assert.equal(await level(a, c.room_id), 'mentions');
  assert.equal(await hideText(a), true);
  // Only the fields given change.
  const s = await a.put(`${BASE}/defaults`, { sound: false });
  assert.deepEqual(s.json.defaults, { group_level: 'all', dm_level: 'mentions', hide_text: true, sound: false });
  // b's are still the built-in ones, and b's rooms unaffected.
  assert.equal((await settings(b)).defaults.group_level, 'mentions');
  assert.equal(await level(b, c.room_id), 'all');
  assert.equal(await hideText(b), false);
  const d = await a.del(`${BASE}/defaults`);
  assert.equal(d.status, 204, d.text);
  assert.equal(await level(a, g.room), 'mentions');
  assert.equal(await hideText(a), false);
  assert.equal((await a.del(`${BASE}/defaults`)).status, 204, 'idempotent');
});

test('bad input is 400 with the field named, and changes nothing', async () => {
  const a = await newUser();
  const g = await group(a);
  const bad = [
    [`${BASE}/defaults`, { group_level: 'loud' }, 'group_level'],
    [`${BASE}/defaults`, { dm_level: 3 }, 'dm_level'],
    [`${BASE}/defaults`, { hide_text: 'yes' }, 'hide_text'],
    [`${BASE}/defaults`, { volume: 3 }, 'volume'],
    [`${BASE}/groups/${g.id}`, { level: 'some' }, 'level'],
    [`${BASE}/groups/${g.id}`, {}, 'level'],
    [`${BASE}/groups/${g.id}`, { muted_until: 'tomorrow' }, 'muted_until'],
    [`${BASE}/groups/${g.id}`, { muted_until: '2020-01-01T00:00:00Z' }, 'muted_until'],
    [`${BASE}/groups/${g.id}`, { muted_until: '2099-02-31T00:00:00Z' }, 'muted_until'],
    [`${BASE}/groups/${g.id}`, { muted_until: '2099-01-01T00:00:00.1234567Z' }, 'muted_until'],
    [`${BASE}/groups/${g.id}`, { muted_until: 12 }, 'muted_until'],
    [`${BASE}/rooms/${g.room}`, { level: 'all', extra: 1 }, 'extra'],
  ];
  for (const [path, body, field] of bad) {
    const res = await a.put(path, body);
    assertError(assert, res, 400, 'validation_failed');
    assert.ok(res.json.error.fields && field in res.json.error.fields, `${JSON.stringify(body)}: ${res.text}`);
  }
  assert.deepEqual(await settings(a), {
    defaults: { group_level: 'mentions', dm_level: 'all', hide_text: false, sound: true },
    groups: [],
    rooms: [],
  });
  assert.equal((await sql('SELECT count(*)::int AS n FROM notify_settings WHERE user_id = $1', [a.user.id]))[0].n, 0);
});

test('room overrides group overrides my default; null inherits; a mute is none', async () => {
  const a = await newUser();
  const g = await group(a);
  let res = await a.put(`${BASE}/groups/${g.id}`, { level: 'none' });
  assert.equal(res.status, 200, res.text);
  assert.deepEqual(res.json.groups, [{ group_id: g.id, level: 'none', muted_until: null }]);
  assert.equal(await level(a, g.room), 'none');
  res = await a.put(`${BASE}/rooms/${g.room}`, { level: 'all' });
  assert.equal(res.status, 200, res.text);
  assert.deepEqual(res.json.rooms, [{ room_id: g.room, group_id: g.id, level: 'all', muted_until: null }]);
  assert.equal(await level(a, g.room), 'all', 'the room wins over its group');
  // Muting the group mutes its rooms, whatever their level.
  const until = inAnHour();
  res = await a.put(`${BASE}/groups/${g.id}`, { muted_until: until });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json.groups[0].level, 'none', 'level kept when only the mute is given');
  assert.equal(Date.parse(res.json.groups[0].muted_until), Date.parse(until));
  assert.equal(await level(a, g.room), 'none');
  res = await a.put(`${BASE}/groups/${g.id}`, { muted_until: null, level: null });
  assert.deepEqual(res.json.groups, [{ group_id: g.id, level: null, muted_until: null }]);
  assert.equal(await level(a, g.room), 'all');
  // Until I unmute; with an offset.
  res = await a.put(`${BASE}/rooms/${g.room}`, { muted_until: 'forever' });
  assert.equal(res.json.rooms[0].muted_until, 'forever');
  assert.equal(await level(a, g.room), 'none');
  res = await a.put(`${BASE}/rooms/${g.room}`, { muted_until: '2999-06-01T12:00:00.5+02:00' });
  assert.equal(res.json.rooms[0].muted_until, '2999-06-01T10:00:00.500Z');
  // A mute that ran out reads as null and is not a mute.
  await sql("UPDATE notify_settings SET muted_until = now() - interval '1 minute' WHERE user_id = $1 AND room_id = $2",
    [a.user.id, g.room]);
  assert.equal((await settings(a)).rooms[0].muted_until, null);
  assert.equal(await level(a, g.room), 'all');
  // Room level null inherits the group's, then my default.
  res = await a.put(`${BASE}/rooms/${g.room}`, { level: null });
  assert.equal(await level(a, g.room), 'mentions');
  assert.equal((await a.del(`${BASE}/rooms/${g.room}`)).status, 204);
  assert.equal((await a.del(`${BASE}/groups/${g.id}`)).status, 204);
  assert.deepEqual((await settings(a)).rooms, []);
  assert.equal((await a.del(`${BASE}/rooms/${g.room}`)).status, 204, 'idempotent');
});

test('a DM is set through its room; mentions = mentions and DMs only', async () => {
  const a = await newUser();
  const b = await newUser();
  const c = await dm(a, b);
  const res = await a.put(`${BASE}/rooms/${c.room_id}`, { level: 'mentions' });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json.rooms[0].group_id, c.id);
  assert.equal(await level(a, c.room_id), 'mentions');
  assert.equal(await level(b, c.room_id), 'all', "the other participant's own");
});

test("access: only groups and rooms I am in; others' settings are invisible", async () => {
  const a = await newUser();
  const b = await newUser();
  const x = await newUser();
  const priv = await group(b, { isPublic: false });
  const pub = await group(b, {}, a);
  const c = await dm(b, x);
  for (const path of [`${BASE}/groups/${priv.id}`, `${BASE}/rooms/${priv.room}`, `${BASE}/groups/${c.id}`,
    `${BASE}/rooms/${c.room_id}`, `${BASE}/rooms/999999999`, `${BASE}/groups/999999999`]) {
    assertError(assert, await a.put(path, { level: 'all' }), 404, 'not_found');
  }
  assert.equal(await level(a, priv.room), 'none', 'not a member: nothing');
  assert.equal(await level(a, c.room_id), 'none');
  // b's settings stay b's.
  assert.equal((await b.put(`${BASE}/rooms/${pub.room}`, { level: 'all' })).status, 200);
  assert.equal((await b.put(`${BASE}/defaults`, { hide_text: true })).status, 200);
  const mine = await settings(a);
  assert.deepEqual(mine.rooms, []);
  assert.equal(mine.defaults.hide_text, false);
  assert.equal(await level(a, pub.room), 'mentions');
  // a's DELETE of b's room setting removes nothing of b's.
  assert.equal((await a.del(`${BASE}/rooms/${pub.room}`)).status, 204);
  assert.equal((await settings(b)).rooms.length, 1);
  // Leaving a group: its settings are no longer listed, and nothing notifies.
  assert.equal((await a.put(`${BASE}/groups/${pub.id}`, { level: 'all' })).status, 200);
  assert.equal(await level(a, pub.room), 'all');
  const left = await a.post(`/api/groups/${pub.id}/leave`);
  assert.equal(left.status, 204, left.text);
  assert.deepEqual((await settings(a)).groups, []);
  assert.equal(await level(a, pub.room), 'none');
  // Signed out: 401.
  const anon = await (await import('../lib/api.mjs')).raw(BASE);
  assert.equal(anon.status, 401);
});

test('every device of the user hears the change; other users hear nothing', async () => {
  const a = await newUser();
  const b = await newUser();
  const g = await group(a, {}, b);
  const wa = await connect({ cookie: a.cookieHeader() });
  const wb = await connect({ cookie: b.cookieHeader() });
  open.push(wa, wb);
  await wa.next((e) => e.type === 'hello', 3000);
  await wb.next((e) => e.type === 'hello', 3000);
  const res = await a.put(`${BASE}/groups/${g.id}`, { level: 'all', muted_until: 'forever' });
  assert.equal(res.status, 200, res.text);
  const ev = await wa.next((e) => e.type === 'notification_settings.updated', 3000);
  assert.deepEqual(ev.settings, res.json);
  assert.equal(ev.group_id, undefined);
  // A DELETE that removed something is told too.
  assert.equal((await a.del(`${BASE}/groups/${g.id}`)).status, 204);
  const ev2 = await wa.next((e) => e.type === 'notification_settings.updated' && e.settings.groups.length === 0, 3000);
  assert.deepEqual(ev2.settings.groups, []);
  await assert.rejects(wb.next((e) => e.type === 'notification_settings.updated', 500));
});
