// contract.test.mjs - the API reference matches the programs: the merged
// OpenAPI document that the stack serves (/api/openapi.json) lists exactly
// the routes of the C route tables (`easychat-<program> --routes`), with
// the same sign-in rule, and the reference page is served without any
// outside resource.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { raw } from '../lib/api.mjs';
import { programs, programRoutes } from '../lib/routes.mjs';

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

/** `GET /api/x/{}` whatever the placeholder's name. */
const key = (method, path) => `${method.toUpperCase()} ${path.replace(/\{[^}]*\}/g, '{}')}`;

/** The spec's sign-in rule in --routes terms. */
function authOf(op) {
  const sec = op.security;
  assert.ok(Array.isArray(sec), 'every merged operation states its security');
  if (sec.length === 0) return 'none';
  return sec.some((s) => Object.keys(s).length === 0) ? 'optional' : 'required';
}

async function spec() {
  const res = await raw('/api/openapi.json');
  assert.equal(res.status, 200, res.text.slice(0, 200));
  assert.match(res.headers['content-type'], /^application\/json/);
  assert.ok(res.json?.openapi?.startsWith('3.'), 'an OpenAPI 3 document');
  return res.json;
}

test('every C route is in the reference and every documented route is served', async () => {
  const doc = await spec();
  const documented = new Map();
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const m of METHODS) if (item[m]) documented.set(key(m, path), { path, op: item[m] });
  }
  const routed = new Map();
  for (const name of programs()) {
    for (const r of programRoutes(name).routes) routed.set(key(r.method, r.path), { name, ...r });
  }
  const undocumented = [...routed.keys()].filter((k) => !documented.has(k));
  // Served by every program outside its table (common/app.c), documented
  // once in common/openapi.yaml; health.test.mjs and metrics.test.mjs
  // call them.
  const operational = [...documented.entries()]
    .filter(([, d]) => d.op.tags?.includes('shared')).map(([k]) => k).sort();
  assert.deepEqual(operational, ['GET /api/{}/health', 'GET /api/{}/metrics']);
  const unrouted = [...documented.keys()].filter((k) => !routed.has(k) && !operational.includes(k));
  assert.deepEqual(undocumented, [], 'routes in a C table but not in fcgi-apps/<program>/openapi.yaml');
  assert.deepEqual(unrouted, [], 'routes in the reference that no program serves');
  for (const [k, r] of routed) {
    const { op } = documented.get(k);
    assert.equal(authOf(op), r.auth, `${k}: sign-in rule in the spec vs the route table`);
    assert.deepEqual(op.tags, [r.name], `${k} is documented in its own program's file`);
    if (r.body === 'multipart') {
      assert.ok(op.requestBody?.content?.['multipart/form-data'], `${k}: multipart body documented`);
    }
  }
});

test('the websocket frames are in the reference as unions on `type`', async () => {
  const doc = await spec();
  const s = doc.components.schemas;
  for (const union of ['ServerEvent', 'ClientFrame']) {
    assert.ok(s[union]?.oneOf?.length > 0, union);
    const types = s[union].oneOf.map((ref) => {
      const member = s[ref.$ref.split('/').pop()];
      assert.ok(member.required.includes('type'), ref.$ref);
      assert.equal(member.properties.type.enum.length, 1, ref.$ref);
      return member.properties.type.enum[0];
    });
    assert.equal(new Set(types).size, types.length, `${union}: one member per type`);
  }
});

test('the reference page is served and loads nothing from elsewhere', async () => {
  const page = await raw('/reference/');
  assert.equal(page.status, 200);
  assert.match(page.headers['content-type'], /^text\/html/);
  assert.match(page.text, /<script src="reference\.js"/);
  assert.doesNotMatch(page.text, /https?:\/\//, 'no outside URL in the page');
  for (const asset of ['/reference/reference.js', '/reference/reference.css']) {
    const res = await raw(asset);
    assert.equal(res.status, 200, asset);
    assert.doesNotMatch(res.text, /https?:\/\//, `no outside URL in ${asset}`);
  }
  const js = await raw('/reference/reference.js');
  assert.match(js.text, /fetch\('\/api\/openapi\.json'\)/);
});
