// routes.test.mjs - `easychat-<program> --routes`: every program prints
// its route table as JSON without any configuration, and refuses other
// arguments.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { programs, programBin, programRoutes } from '../lib/routes.mjs';

const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);

test('every program lists its routes as JSON', () => {
  const names = programs();
  assert.deepEqual(names, ['auth', 'groups', 'rooms', 'search', 'users']);
  const seen = new Set();
  for (const name of names) {
    const table = programRoutes(name);
    assert.equal(table.program, name);
    assert.ok(table.routes.length > 0, name);
    for (const r of table.routes) {
      assert.deepEqual(Object.keys(r), ['method', 'path', 'auth', 'body'], name);
      assert.ok(METHODS.has(r.method), `${name}: ${r.method}`);
      assert.match(r.path, /^\/api\/[a-z0-9/{}_-]+$/, name);
      assert.ok(['required', 'optional', 'none'].includes(r.auth), `${name}: ${r.auth}`);
      assert.ok(['json', 'multipart', 'raw'].includes(r.body), `${name}: ${r.body}`);
      const key = `${r.method} ${r.path}`;
      assert.ok(!seen.has(key), `${key} is routed twice`);
      seen.add(key);
    }
  }
  // A few known entries with their flags.
  const groups = programRoutes('groups').routes;
  assert.deepEqual(groups.find((r) => r.path === '/api/groups/{id}/icon'),
    { method: 'POST', path: '/api/groups/{id}/icon', auth: 'required', body: 'multipart' });
  assert.deepEqual(groups.find((r) => r.path === '/api/public-groups'),
    { method: 'GET', path: '/api/public-groups', auth: 'none', body: 'json' });
});

test('an unknown argument is refused with a usage line', () => {
  const res = spawnSync(programBin('rooms'), ['--bogus'], { encoding: 'utf8' });
  assert.equal(res.status, 2);
  assert.match(res.stderr, /usage: easychat-rooms \[--routes\]/);
  assert.equal(res.stdout, '');
});
