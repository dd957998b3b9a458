// health.test.mjs - GET /api/<program>/health: 200 while the program reaches PostgreSQL and Redis, 503 (JSON) when it cannot.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { raw, assertError, stack, sleep } from '../lib/api.mjs';

const PROGRAMS = ['auth', 'users', 'groups', 'rooms', 'search'];

async function healthy(p) {
  const res = await raw(`/api/${p}/health`);
  return res.status === 200 && res.json && res.json.status === 'ok' && res.headers['x-request-id'];
}

test('every program answers its health check through the front server', async () => {
  for (const p of PROGRAMS) {
    const res = await raw(`/api/${p}/health`);
    assert.equal(res.status, 200, `${p}: ${res.status} ${res.text}`);
    assert.deepEqual(res.json, { status: 'ok' });
    assert.ok(res.headers['x-request-id']);
  }
});

test('without Redis the health check answers 503 unavailable, and 200 again once it is back', async () => {
  stack('redis-stop');
  try {
    for (const p of PROGRAMS) assertError(assert, await raw(`/api/${p}/health`), 503, 'unavailable');
  } finally {
    stack('redis-start');
  }
  for (const p of PROGRAMS) {
    let ok = false;
    for (let i = 0; i < 50 && !ok; i++) {
      ok = await healthy(p);
      if (!ok) await sleep(200);
    }
    assert.ok(ok, `${p} did not become healthy again`);
  }
});
