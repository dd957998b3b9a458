// contracts.test.mjs - fcgi-apps/CONTRACTS.md (each program's routes,
// tables, Redis names, events and cache versions) is generated from the
// code by fcgi-apps/contracts.mjs: it must be current, and what it says about
// the wire must match what the running programs do.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { REPO, newUser, unique } from '../lib/api.mjs';
import { closeDb, subscribe } from '../lib/db.mjs';
import { programs, programRoutes } from '../lib/routes.mjs';

after(closeDb);

// --check also fails when a Writers:/Readers: line of common/wire.h
// disagrees with the code.
test('fcgi-apps/CONTRACTS.md is what fcgi-apps/contracts.mjs generates', () => {
  try {
    execFileSync(process.execPath, [path.join(REPO, 'fcgi-apps/contracts.mjs'), '--check'], { stdio: 'pipe' });
  } catch (e) {
    assert.fail(String(e.stderr));
  }
});

function section(doc, program) {
  const start = doc.indexOf(`## ${program} (`);
  assert.ok(start >= 0, `a section for ${program}`);
  const end = doc.indexOf('\n## ', start + 1);
  return doc.slice(start, end < 0 ? undefined : end);
}

// The document is generated from the sources; this checks the generator
// against the running stack for one program: the events the rooms
// program is listed with are the ones it publishes.
test('the events listed for rooms are the ones it publishes', async () => {
  const doc = fs.readFileSync(path.join(REPO, 'fcgi-apps/CONTRACTS.md'), 'utf8');
  const listed = new Set([...section(doc, 'rooms').split('\n').find((l) => l.startsWith('- Events published:'))
    .matchAll(/`([a-z]+\.[a-z]+)`/g)].map((m) => m[1]));
  const a = await newUser();
  const b = await newUser();
  const g = await a.post('/api/groups', { name: unique('contract') });
  assert.equal(g.status, 201, g.text);
  assert.equal((await b.post(`/api/groups/${g.json.id}/join`)).status, 200);
  // mention.created goes to the mentioned user's channel.
  const sub = await subscribe([`group:${g.json.id}`, `user:${b.user.id}`]);
  try {
    const topic = g.json.topics[0].id;
    const room = await a.post(`/api/topics/${topic}/rooms`, { name: 'r' });
    assert.equal(room.status, 201, room.text);
    const m = await a.post(`/api/rooms/${room.json.id}/messages`, { text: `hi @${b.user.username}` });
    assert.equal((await a.patch(`/api/messages/${m.json.id}`, { text: 'hi!' })).status, 200);
    const thumbs = `/api/messages/${m.json.id}/reactions/${encodeURIComponent('👍')}/me`;
    assert.equal((await a.put(thumbs)).status, 200);
    assert.equal((await a.del(thumbs)).status, 200);
    assert.equal((await a.put(`/api/messages/${m.json.id}/pin`)).status, 200);
    assert.equal((await a.del(`/api/messages/${m.json.id}/pin`)).status, 200);
    assert.equal((await a.del(`/api/messages/${m.json.id}`)).status, 204);
    assert.equal((await a.patch(`/api/rooms/${room.json.id}`, { name: 's' })).status, 200);
    assert.equal((await a.del(`/api/rooms/${room.json.id}`)).status, 204);
    await sub.next((e) => e.data.type === 'room.deleted');
    const seen = new Set(sub.messages.map((e) => e.data.type).filter((t) => t !== 'membership'));
    assert.deepEqual([...seen].sort(), [...listed].filter((t) => !t.startsWith('session.')).sort());
  } finally {
    await sub.close();
  }
});

// The routes in the document (read from the sources) are the ones each
// built program serves (`easychat-<program> --routes`).
test('the routes listed for each program are the ones it serves', () => {
  const doc = fs.readFileSync(path.join(REPO, 'fcgi-apps/CONTRACTS.md'), 'utf8');
  for (const name of programs()) {
    const rows = section(doc, name).split('\n').filter((l) => /^\| [A-Z]+ \| `/.test(l))
      .map((l) => {
        const [method, p, , auth, body] = l.split('|').slice(1, -1).map((c) => c.trim().replace(/`/g, ''));
        return { method, path: p, auth, body: body.toLowerCase() };
      });
    assert.deepEqual(rows, programRoutes(name).routes, name);
  }
});
