// groups-roles.test.mjs - the role x action matrix of the groups program:
// owner, admin, moderator, member, non-member and anonymous against every
// mutating endpoint, with exact statuses and the database checked after.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Client, newUser, unique } from '../lib/api.mjs';
import { sql, closeDb } from '../lib/db.mjs';

const ROLES = ['owner', 'admin', 'moderator', 'member', 'outsider', 'anonymous'];
const users = {};

before(async () => {
  for (const r of ['owner', 'admin', 'moderator', 'member', 'outsider', 'target']) users[r] = await newUser();
  users.anonymous = new Client();
});
after(closeDb);

/** A fresh public group where each role is held by its user, plus a plain
 * member `target`, a topic and an invite to act on. */
async function world() {
  const res = await users.owner.post('/api/groups', { name: unique('m') });
  assert.equal(res.status, 201, res.text);
  const g = res.json;
  for (const [who, role] of [['admin', 'admin'], ['moderator', 'moderator'], ['member', 'member'], ['target', 'member']]) {
    await sql('INSERT INTO group_members (group_id, user_id, role) VALUES ($1, $2, $3)', [g.id, users[who].user.id, role]);
  }
  const inv = await users.owner.post(`/api/groups/${g.id}/invites`, {});
  assert.equal(inv.status, 201);
  return { g, topic: g.topics[0].id, code: inv.json.code };
}

const role = async (g, who) => (await sql('SELECT role FROM group_members WHERE group_id = $1 AND user_id = $2',
  [g.id, users[who].user.id]))[0]?.role ?? null;

// Each action: how to call it, the expected status per role, and what the
// database must show afterwards (ok = the call was allowed).
const ACTIONS = [
  {
    name: 'PATCH /api/groups/{id}',
    call: (c, w) => c.patch(`/api/groups/${w.g.id}`, { description: 'changed' }),
    expect: { owner: 200, admin: 200, moderator: 403, member: 403, outsider: 404, anonymous: 401 },
    check: async (w, ok) => assert.equal((await sql('SELECT description FROM groups WHERE id = $1', [w.g.id]))[0].description, ok ? 'changed' : ''),
  },
  {
    name: 'DELETE /api/groups/{id}',
    call: (c, w) => c.del(`/api/groups/${w.g.id}`),
    expect: { owner: 204, admin: 403, moderator: 403, member: 403, outsider: 404, anonymous: 401 },
    check: async (w, ok) => assert.equal((await sql('SELECT 1 FROM groups WHERE id = $1', [w.g.id])).length, ok ? 0 : 1),
  },
  {
    name: 'POST /api/groups/{id}/join',
    call: (c, w) => c.post(`/api/groups/${w.g.id}/join`),
    expect: { owner: 200, admin: 200, moderator: 200, member: 200, outsider: 200, anonymous: 401 },
    check: async (w, ok, who) => {
      if (who === 'outsider') assert.equal(await role(w.g, 'outsider'), 'member');
      if (who !== 'anonymous' && who !== 'outsider') assert.equal(await role(w.g, who), who, 'joining again changes nothing');
    },
  },
  {
    name: 'POST /api/groups/{id}/leave',
    call: (c, w) => c.post(`/api/groups/${w.g.id}/leave`),
    expect: { owner: 409, admin: 204, moderator: 204, member: 204, outsider: 404, anonymous: 401 },
    check: async (w, ok, who) => {
      if (who === 'owner') assert.equal(await role(w.g, 'owner'), 'owner');
      else if (who !== 'anonymous' && who !== 'outsider') assert.equal(await role(w.g, who), null);
    },
  },
  {
    name: 'PATCH /api/groups/{id}/members/{target} {role: moderator}',
    call: (c, w) => c.patch(`/api/groups/${w.g.id}/members/${users.target.user.id}`, { role: 'moderator' }),
    expect: { owner: 200, admin: 200, moderator: 403, member: 403, outsider: 404, anonymous: 401 },
    check: async (w, ok) => assert.equal(await role(w.g, 'target'), ok ? 'moderator' : 'member'),
  },
  {
    name: 'PATCH /api/groups/{id}/members/{target} {role: admin}',
    call: (c, w) => c.patch(`/api/groups/${w.g.id}/members/${users.target.user.id}`, { role: 'admin' }),
    expect: { owner: 200, admin: 403, moderator: 403, member: 403, outsider: 404, anonymous: 401 },
    check: async (w, ok) => assert.equal(await role(w.g, 'target'), ok ? 'admin' : 'member'),
  },
  {
    name: 'PATCH /api/groups/{id}/members/{moderator} {role: member}',
    call: (c, w) => c.patch(`/api/groups/${w.g.id}/members/${users.moderator.user.id}`, { role: 'member' }),
    expect: { owner: 200, admin: 200, moderator: 403, member: 403, outsider: 404, anonymous: 401 },
    check: async (w, ok) => assert.equal(await role(w.g, 'moderator'), ok ? 'member' : 'moderator'),
  },
  {
    name: 'PATCH /api/groups/{id}/members/{admin} {role: member}',
    call: (c, w) => c.patch(`/api/groups/${w.g.id}/members/${users.admin.user.id}`, { role: 'member' }),
    expect: { owner: 200, admin: 403, moderator: 403, member: 403, outsider: 404, anonymous: 401 },
    check: async (w, ok) => assert.equal(await role(w.g, 'admin'), ok ? 'member' : 'admin'),
  },
  {
    name: 'PATCH /api/groups/{id}/members/{target} {role: owner}',
    call: (c, w) => c.patch(`/api/groups/${w.g.id}/members/${users.target.user.id}`, { role: 'owner' }),
    expect: { owner: 200, admin: 403, moderator: 403, member: 403, outsider: 404, anonymous: 401 },
    check: async (w, ok) => {
      assert.equal(await role(w.g, 'target'), ok ? 'owner' : 'member');
      assert.equal(await role(w.g, 'owner'), ok ? 'admin' : 'owner');
    },
  },
  {
    name: 'DELETE /api/groups/{id}/members/{target}',
    call: (c, w) => c.del(`/api/groups/${w.g.id}/members/${users.target.user.id}`),
    expect: { owner: 204, admin: 204, moderator: 204, member: 403, outsider: 404, anonymous: 401 },
    check: async (w, ok) => assert.equal(await role(w.g, 'target'), ok ? null : 'member'),
  },
  {
    name: 'DELETE /api/groups/{id}/members/{moderator}',
    call: (c, w) => c.del(`/api/groups/${w.g.id}/members/${users.moderator.user.id}`),
    expect: { owner: 204, admin: 204, moderator: 403, member: 403, outsider: 404, anonymous: 401 },
    check: async (w, ok) => assert.equal(await role(w.g, 'moderator'), ok ? null : 'moderator'),
  },
  {
    name: 'DELETE /api/groups/{id}/members/{admin}',
    call: (c, w) => c.del(`/api/groups/${w.g.id}/members/${users.admin.user.id}`),
    expect: { owner: 204, admin: 403, moderator: 403, member: 403, outsider: 404, anonymous: 401 },
    check: async (w, ok) => assert.equal(await role(w.g, 'admin'), ok ? null : 'admin'),
  },
  {
    name: 'DELETE /api/groups/{id}/members/{owner}',
    call: (c, w) => c.del(`/api/groups/${w.g.id}/members/${users.owner.user.id}`),
    expect: { owner: 403, admin: 403, moderator: 403, member: 403, outsider: 404, anonymous: 401 },
    check: async (w) => assert.equal(await role(w.g, 'owner'), 'owner'),
  },
  {
    name: 'POST /api/groups/{id}/invites',
    call: (c, w) => c.post(`/api/groups/${w.g.id}/invites`, { max_uses: 3 }),
    expect: { owner: 201, admin: 201, moderator: 403, member: 403, outsider: 404, anonymous: 401 },
    check: async (w, ok) => assert.equal((await sql('SELECT 1 FROM invites WHERE group_id = $1', [w.g.id])).length, ok ? 2 : 1),
  },
  {
    name: 'DELETE /api/invites/{code}',
    call: (c, w) => c.del(`/api/invites/${w.code}`),
    expect: { owner: 204, admin: 204, moderator: 403, member: 403, outsider: 404, anonymous: 401 },
    check: async (w, ok) => assert.equal((await sql('SELECT revoked_at IS NOT NULL AS r FROM invites WHERE code = $1', [w.code]))[0].r, ok),
  },
  {
    name: 'POST /api/invites/{code}/accept',
    call: (c, w) => c.post(`/api/invites/${w.code}/accept`),
    expect: { owner: 200, admin: 200, moderator: 200, member: 200, outsider: 200, anonymous: 401 },
    check: async (w, ok, who) => {
      const [{ uses }] = await sql('SELECT uses FROM invites WHERE code = $1', [w.code]);
      assert.equal(uses, who === 'outsider' ? 1 : 0, 'only a new member spends a use');
      if (who === 'outsider') assert.equal(await role(w.g, 'outsider'), 'member');
    },
  },
  {
    name: 'POST /api/groups/{id}/topics',
    call: (c, w) => c.post(`/api/groups/${w.g.id}/topics`, { name: 'New topic' }),
    expect: { owner: 201, admin: 201, moderator: 403, member: 403, outsider: 404, anonymous: 401 },
    check: async (w, ok) => assert.equal((await sql('SELECT 1 FROM topics WHERE group_id = $1', [w.g.id])).length, ok ? 2 : 1),
  },
  {
    name: 'PATCH /api/topics/{id}',
    call: (c, w) => c.patch(`/api/topics/${w.topic}`, { name: 'Renamed' }),
    expect: { owner: 200, admin: 200, moderator: 403, member: 403, outsider: 404, anonymous: 401 },
    check: async (w, ok) => assert.equal((await sql('SELECT name FROM topics WHERE id = $1', [w.topic]))[0].name, ok ? 'Renamed' : 'General'),
  },
  {
    name: 'DELETE /api/topics/{id}',
    call: (c, w) => c.del(`/api/topics/${w.topic}`),
    expect: { owner: 204, admin: 204, moderator: 403, member: 403, outsider: 404, anonymous: 401 },
    check: async (w, ok) => assert.equal((await sql('SELECT 1 FROM topics WHERE id = $1', [w.topic])).length, ok ? 0 : 1),
  },
];

for (const action of ACTIONS) {
  describe(action.name, () => {
    for (const who of ROLES) {
      const status = action.expect[who];
      test(`${who} -> ${status}`, async () => {
        const w = await world();
        const res = await action.call(users[who], w);
        assert.equal(res.status, status, `${who}: ${res.text}`);
        if (status >= 400) {
          assert.equal(res.json.error.code, { 401: 'not_authenticated', 403: 'forbidden', 404: 'not_found', 409: 'conflict' }[status], res.text);
        }
        await action.check(w, status < 300, who);
      });
    }
  });
}

describe('private group: non-members cannot join', () => {
  test('outsider -> 404, nothing stored', async () => {
    const res = await users.owner.post('/api/groups', { name: unique('p'), is_public: false });
    const g = res.json;
    const r = await users.outsider.post(`/api/groups/${g.id}/join`);
    assert.equal(r.status, 404);
    assert.equal((await sql('SELECT 1 FROM group_members WHERE group_id = $1 AND user_id = $2', [g.id, users.outsider.user.id])).length, 0);
  });
});
