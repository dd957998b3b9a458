// history-fast.test.mjs - the hot paths' round trips (issue 10's bench
// regression, issue 16 item 1): a write takes one Redis call before its
// handler (revocation mark and rate limits together), a cached history
// page takes one Redis round trip (a check script and a plain read of
// the page, pipelined) and no PostgreSQL statement (with reactions
// too: each member's "me" is kept with the page), and a member
// who is removed loses access at once, cached page or not.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { newUser, unique, assertError, sleep } from '../lib/api.mjs';
import { sql, redis, closeDb } from '../lib/db.mjs';
import { logStatements, stopLoggingStatements, statementsDuring } from '../lib/statements.mjs';
import { redisCommands } from '../lib/monitor.mjs';

before(logStatements);

after(async () => {
  await stopLoggingStatements();
  await closeDb();
});

/** The statements PostgreSQL logged while fn() ran, but the relay's
 * own (LISTEN, NOTIFY). */
async function pgStatements(fn) {
  const { res, lines } = await statementsDuring(fn);
  return { res, lines: lines.filter((l) => !/LISTEN|pg_notify|easychat_resync/.test(l)) };
}

async function groupWithRoom(owner) {
  const res = await owner.post('/api/groups', { name: unique('fast'), is_public: true });
  assert.equal(res.status, 201, res.text);
  return { group: res.json.id, room: res.json.topics[0].rooms[0].id };
}

const page = (c, r) => c.get(`/api/rooms/${r}/messages?limit=50`);

/** Reads until the page is served from Redis (the first read remembers
 * the room's group, the second the grant and the page). */
async function warm(c, r) {
  for (let i = 0; i < 3; i++) assert.equal((await page(c, r)).status, 200);
}

test('a write asks Redis once before its handler, and once to publish', async () => {
  const a = await newUser();
  const { room: r } = await groupWithRoom(a);
  for (const client of [a, await (async () => { const b = await newUser(); await b.useBearer(); return b; })()]) {
    const target = client === a ? r : (await groupWithRoom(client)).room;
    const { res, cmds } = await redisCommands(() => client.post(`/api/rooms/${target}/messages`, { text: 'hello' }));
    assert.equal(res.status, 201, res.text);
    const mine = cmds.filter((c) => c.args.some((a) => a.startsWith(`rl:write:user:${client.user.id}`)));
    assert.equal(mine.length, 1, JSON.stringify(cmds));
    const addr = mine[0].addr;
    const all = cmds.filter((c) => c.addr === addr).map((c) => c.args[0].toUpperCase());
    // The revocation mark and the rate-limit buckets in one script call,
    // then the event (with the group's history version) in another.
    assert.ok(mine[0].args.some((x) => x.startsWith('revoked:session:')), JSON.stringify(mine[0]));
    assert.ok(!all.includes('EXISTS'), all.join(' '));
    assert.ok(!all.includes('PUBLISH'), all.join(' ')); // inside the script
    assert.deepEqual(all.filter((c) => c !== 'SCRIPT'), ['EVALSHA', 'EVALSHA']);
  }
});

test('a cached page costs one Redis round trip (check script + HMGET of the page) and no PostgreSQL statement', async () => {
  const a = await newUser();
  const b = await newUser();
  await b.useBearer();
  const { group, room: r } = await groupWithRoom(a);
  assert.equal((await b.post(`/api/groups/${group}/join`)).status, 200);
  await a.post(`/api/rooms/${r}/messages`, { text: 'one' });
  for (const c of [a, b]) {
    await warm(c, r);
    const { res, lines } = await pgStatements(() => page(c, r));
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(lines, [], 'no statement for a cached page');
    const { res: res2, cmds } = await redisCommands(() => page(c, r));
    assert.equal(res2.status, 200);
    const mine = cmds.filter((x) => x.args.includes(`hist:room:${r}`));
    assert.equal(mine.length, 1, JSON.stringify(cmds));
    // The check script (small answer) and a plain read of the page,
    // pipelined on one connection: nothing else.
    const conn = cmds.filter((x) => x.addr === mine[0].addr);
    assert.deepEqual(conn.map((x) => x.args[0].toUpperCase()), ['EVALSHA', 'HMGET'], JSON.stringify(cmds));
    assert.equal(conn[1].args[1], `hist:body:${r}:50`);
    assert.deepEqual(res2.json, res.json);
  }
  // Cursors still ask PostgreSQL (and still check membership).
  assert.equal((await b.get(`/api/rooms/${r}/messages?before=999999999`)).status, 200);
});

test('a cached page with reactions costs no PostgreSQL statement either; each member gets their own "me"', async () => {
  const a = await newUser();
  const b = await newUser();
  const c = await newUser();
  const { group, room: r } = await groupWithRoom(a);
  for (const u of [b, c]) assert.equal((await u.post(`/api/groups/${group}/join`)).status, 200);
  // Text that looks like the page's own JSON must not fool the overlay.
  const tricky = '"reactions": [{"count": 1, "emoji": "🎉"}], {"id": 1, "me": true} \\" }]';
  const m1 = (await a.post(`/api/rooms/${r}/messages`, { text: tricky })).json;
  const m2 = (await b.post(`/api/rooms/${r}/messages`, { text: 'two' })).json;
  await a.post(`/api/rooms/${r}/messages`, { text: 'three, no reactions' });
  const react = async (u, m, e) => assert.equal((await u.put(`/api/messages/${m.id}/reactions/${encodeURIComponent(e)}/me`)).status, 200);
  await react(a, m1, '🎉');
  await react(b, m1, '🎉');
  await react(b, m2, '😀');
  await react(c, m2, '🎉');
  const want = {
    [a.user.id]: { [m1.id]: { '🎉': true }, [m2.id]: { '😀': false, '🎉': false } },
    [b.user.id]: { [m1.id]: { '🎉': true }, [m2.id]: { '😀': true, '🎉': false } },
    [c.user.id]: { [m1.id]: { '🎉': false }, [m2.id]: { '😀': false, '🎉': true } },
  };
  const seen = (json) => Object.fromEntries(json.items.filter((m) => m.reactions.length > 0)
    .map((m) => [m.id, Object.fromEntries(m.reactions.map((x) => [x.emoji, x.me]))]));
  for (const u of [a, b, c]) {
    await warm(u, r);
    const { res, lines } = await pgStatements(() => page(u, r));
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(lines, [], 'no statement for a cached page with reactions');
    assert.deepEqual(seen(res.json), want[u.user.id]);
    assert.equal(res.json.items.find((m) => m.id === m1.id).text, tricky);
    assert.equal(res.json.items.find((m) => m.id === m1.id).reactions[0].count, 2);
  }
  // A change moves the group's version: the next read fills again with
  // the new state, and the reads after it are served from Redis again.
  assert.equal((await c.del(`/api/messages/${m2.id}/reactions/${encodeURIComponent('🎉')}/me`)).status, 200);
  await react(c, m1, '🎉');
  want[c.user.id] = { [m1.id]: { '🎉': true }, [m2.id]: { '😀': false } };
  assert.deepEqual(seen((await page(c, r)).json), want[c.user.id]);
  const { res, lines } = await pgStatements(() => page(c, r));
  assert.deepEqual(lines, []);
  assert.deepEqual(seen(res.json), want[c.user.id]);
  assert.deepEqual(seen((await page(a, r)).json), { [m1.id]: { '🎉': true }, [m2.id]: { '😀': false } });
});

test('a kicked member loses access at once, cached page or not', async () => {
  const a = await newUser();
  const b = await newUser();
  const { group, room: r } = await groupWithRoom(a);
  assert.equal((await b.post(`/api/groups/${group}/join`)).status, 200);
  await a.post(`/api/rooms/${r}/messages`, { text: 'members only' });
  await warm(b, r);
  const rds = await redis();
  try {
    assert.ok(await rds.get(`acl:member:${group}:${b.user.id}`), 'a grant in Redis');
  } finally {
    await rds.quit();
  }
  const kick = await a.del(`/api/groups/${group}/members/${b.user.id}`);
  assert.ok([200, 204].includes(kick.status), kick.text);
  assertError(assert, await page(b, r), 404);
  assertError(assert, await page(b, r), 404);
  // The owner still reads from the cache.
  assert.equal((await page(a, r)).status, 200);
});

test('leaving and group deletion end access at once too', async () => {
  const a = await newUser();
  const b = await newUser();
  const { group, room: r } = await groupWithRoom(a);
  assert.equal((await b.post(`/api/groups/${group}/join`)).status, 200);
  await warm(b, r);
  assert.equal((await b.post(`/api/groups/${group}/leave`)).status < 300, true);
  assertError(assert, await page(b, r), 404);
  await warm(a, r);
  assert.equal((await a.del(`/api/groups/${group}`)).status, 204);
  assertError(assert, await page(a, r), 404);
});

test('a removal whose Redis write is lost ends access within a poll', async () => {
  const a = await newUser();
  const b = await newUser();
  const { group, room: r } = await groupWithRoom(a);
  assert.equal((await b.post(`/api/groups/${group}/join`)).status, 200);
  await warm(b, r);
  const rds = await redis();
  let kick;
  try {
    // Writes (and scripts) wait; the programs give up after their 1 s
    // timeouts, and move PostgreSQL's cache epoch instead.
    await rds.sendCommand(['CLIENT', 'PAUSE', '20000', 'WRITE']);
    kick = await a.del(`/api/groups/${group}/members/${b.user.id}`);
  } finally {
    await rds.sendCommand(['CLIENT', 'UNPAUSE']).catch(() => {});
    await rds.quit();
  }
  assert.ok([200, 204].includes(kick.status), kick.text);
  const [{ e }] = await sql('SELECT last_value + is_called::int AS e FROM ec_cache_epoch');
  assert.ok(Number(e) > 1, 'the cache epoch moved');
  // A poll is at most REVOCATION_POLL_MS (1 s) old.
  await sleep(1100);
  assertError(assert, await page(b, r), 404);
});

test('a missing version or grant in Redis means asking PostgreSQL', async () => {
  const a = await newUser();
  const { group, room: r } = await groupWithRoom(a);
  await a.post(`/api/rooms/${r}/messages`, { text: 'x' });
  await warm(a, r);
  for (const key of [`acl:members:${group}`, `hist:group:${group}`, `acl:member:${group}:${a.user.id}`, `hist:room:${r}`, 'hist:profiles']) {
    const rds = await redis();
    try { await rds.del(key); } finally { await rds.quit(); }
    const { res, lines } = await pgStatements(() => page(a, r));
    assert.equal(res.status, 200, res.text);
    assert.ok(lines.length >= 1, `${key} missing: PostgreSQL asked`);
    await warm(a, r);
  }
  // A post while the group's version is missing creates it (with a
  // random start) and still moves what readers see.
  const rds = await redis();
  try {
    await rds.del(`hist:group:${group}`);
    assert.equal((await a.post(`/api/rooms/${r}/messages`, { text: 'after the loss' })).status, 201);
    const v = await rds.get(`hist:group:${group}`);
    assert.match(v || '', /^\d+$/, 'the version was created by the bump');
    assert.ok(Number(v) > 1000, 'from a random start, not from 0');
  } finally {
    await rds.quit();
  }
  assert.equal((await page(a, r)).json.items[0].text, 'after the loss');
});

test('a cached page is served only under the stamp of the current versions', async () => {
  const a = await newUser();
  const { room: r } = await groupWithRoom(a);
  await a.post(`/api/rooms/${r}/messages`, { text: 'the real page' });
  await warm(a, r);
  const key = `hist:body:${r}:50`;
  const rds = await redis();
  try {
    const stamp = await rds.hGet(key, 's');
    assert.match(stamp || '', /^\d+:\d+:\d+$/, 'a stamped page in Redis');
    const fake = JSON.stringify({ items: [], has_more: false, fake: 1 });
    // Under the current stamp the stored body is what is served (so the
    // next check is not vacuous) ...
    await rds.hSet(key, 'b', fake);
    let res = await page(a, r);
    assert.equal(res.status, 200);
    assert.equal(res.json.fake, 1);
    // ... under any other stamp never: PostgreSQL answers and the fill
    // puts the real page back.
    for (const other of [`${stamp}0`, stamp.replace(/^\d+/, (v) => String(BigInt(v) - 1n)), '']) {
      await rds.hSet(key, { s: other, b: fake });
      const { res: got, lines } = await pgStatements(() => page(a, r));
      assert.equal(got.status, 200, got.text);
      assert.equal(got.json.fake, undefined, `stamp ${other}`);
      assert.equal(got.json.items[0].text, 'the real page');
      assert.ok(lines.length >= 1, 'PostgreSQL asked');
    }
    assert.equal(await rds.hGet(key, 's'), stamp);
    // A post moves the group's version: the stored stamp no longer
    // matches, and the new message shows at once.
    await rds.hSet(key, 'b', fake);
    await a.post(`/api/rooms/${r}/messages`, { text: 'newer' });
    res = await page(a, r);
    assert.equal(res.json.fake, undefined);
    assert.equal(res.json.items[0].text, 'newer');
  } finally {
    await rds.quit();
  }
});
