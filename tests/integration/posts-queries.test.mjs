// posts-queries.test.mjs - the SQL round trips of a post (issue 16 item 3),
// counted from PostgreSQL's own statement log (log_statement = all for the
// length of this file): a plain post is one statement; a post with an
// @mention is that statement and the mentions' in one transaction, not
// the general path's eight round trips (which held the room lock over
// four of them); a post the one statement cannot take (a DM whose other
// participant blocked the sender, slow mode) still gets its answer from
// the general path, with nothing stored by the fast attempt.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { newUser, unique, assertError } from '../lib/api.mjs';
import { sql, subscribe, closeDb } from '../lib/db.mjs';
import { logStatements, stopLoggingStatements, statementsDuring,
  countStatements as count } from '../lib/statements.mjs';

before(logStatements);

after(async () => {
  await stopLoggingStatements();
  await closeDb();
});


async function world() {
  const owner = await newUser();
  const member = await newUser();
  const res = await owner.post('/api/groups', { name: unique('posts'), is_public: true });
  assert.equal(res.status, 201, res.text);
  const g = res.json.id;
  assert.equal((await member.post(`/api/groups/${g}/join`)).status, 200);
  return { owner, member, g, room: res.json.topics[0].rooms[0].id };
}

/** What each logged statement of a post is: its transaction made
 * asynchronous (the room lock goes at the commit, before the WAL flush),
 * the post, the mentions, transaction control, the flush wait. */
function kinds(lines) {
  return lines.map((l) => {
    if (l.includes("set_config('synchronous_commit', 'off', true)")) return 'async';
    if (l.includes('pg_logical_emit_message(true')) return 'flush';
    if (l.includes('INSERT INTO messages')) return 'post';
    if (l.includes('mentions')) return 'mentions';
    return l.replace(/^.*:\s+/, '').trim();
  });
}

test('a plain post is one statement, committed before the flush and answered after it', async () => {
  const w = await world();
  const got = await statementsDuring(() => w.member.post(`/api/rooms/${w.room}/messages`, { text: 'plain words' }));
  assert.equal(got.res.status, 201, got.res.text);
  // One round trip (a libpq pipeline): the post's own implicit
  // transaction, asynchronous, then a transaction that waits for the
  // flush (common/db.c).
  assert.deepEqual(kinds(got.lines), ['async', 'post', 'flush']);
});

test('a post with an @mention: the post and its mentions in one transaction, flushed after its commit', async () => {
  const w = await world();
  const sub = await subscribe(`user:${w.owner.user.id}`);
  try {
    const got = await count(() => w.member.post(`/api/rooms/${w.room}/messages`,
      { text: `hello @${w.owner.user.username} #nothing`, nonce: unique('n') }));
    assert.equal(got.res.status, 201, got.res.text);
    assert.equal(got.queries, 4);
    assert.deepEqual(got.tx, ['BEGIN', 'COMMIT']);
    const id = got.res.json.id;
    const rows = await sql('SELECT user_id, kind FROM mentions WHERE message_id = $1', [id]);
    assert.deepEqual(rows.map((r) => [Number(r.user_id), r.kind]), [[w.owner.user.id, 'user']]);
    const ev = await sub.next((x) => x.data.type === 'mention.created' && x.data.message.id === id);
    assert.equal(ev.data.message.text, `hello @${w.owner.user.username} #nothing`);
    const [k] = await sql('SELECT mention_count FROM read_markers WHERE user_id = $1 AND room_id = $2',
      [w.owner.user.id, w.room]);
    assert.equal(k.mention_count, 1);
    // The commit is asynchronous and the flush wait follows it, in one
    // round trip (common/db.c).
    const { lines } = await statementsDuring(() => w.member.post(`/api/rooms/${w.room}/messages`,
      { text: `again @${w.owner.user.username}` }));
    assert.deepEqual(kinds(lines), ['BEGIN', 'post', 'mentions', 'async', 'COMMIT', 'flush']);
  } finally {
    sub.close();
  }
});

test('a mention the one statement cannot take: the general path answers, the attempt leaves nothing', async () => {
  const w = await world();
  // Slow mode: a plain member's post goes to the general path, whose
  // check sees the post before.
  assert.equal((await sql('UPDATE rooms SET slow_mode_seconds = 60 WHERE id = $1 RETURNING id', [w.room])).length, 1);
  const first = await w.member.post(`/api/rooms/${w.room}/messages`, { text: `one @${w.owner.user.username}` });
  assert.equal(first.status, 201, first.text);
  const before = await sql('SELECT count(*)::int AS n FROM messages WHERE room_id = $1', [w.room]);
  const got = await count(() => w.member.post(`/api/rooms/${w.room}/messages`, { text: `two @${w.owner.user.username}` }));
  assertError(assert, got.res, 429, 'rate_limited');
  assert.ok(got.tx.includes('ROLLBACK'), got.tx.join(' '));
  const after = await sql('SELECT count(*)::int AS n FROM messages WHERE room_id = $1', [w.room]);
  assert.equal(after[0].n, before[0].n);
  // The same nonce again is a safe retry through the fast attempt too.
  const nonce = unique('n');
  await sql('UPDATE rooms SET slow_mode_seconds = 0 WHERE id = $1', [w.room]);
  const a = await w.member.post(`/api/rooms/${w.room}/messages`, { text: `three @${w.owner.user.username}`, nonce });
  assert.equal(a.status, 201, a.text);
  const b = await w.member.post(`/api/rooms/${w.room}/messages`, { text: `three @${w.owner.user.username}`, nonce });
  assert.equal(b.status, 200, b.text);
  assert.equal(b.json.id, a.json.id);
  const n = await sql('SELECT count(*)::int AS n FROM mentions WHERE message_id = $1', [a.json.id]);
  assert.equal(n[0].n, 1);
});

test('a post moves its sender\'s read marker with one run of the marker trigger, read_seq at the new message', async () => {
  const w = await world();
  // The first post makes the marker (or finds the one the join made).
  assert.equal((await w.member.post(`/api/rooms/${w.room}/messages`, { text: 'first' })).status, 201);
  // Counts BEFORE INSERT/UPDATE trigger runs on this user's markers: an
  // INSERT … ON CONFLICT DO UPDATE ran the marker trigger twice per post
  // (for the INSERT it dropped, then for the UPDATE).
  const tag = `ptest_${process.pid}_${Date.now()}`;
  await sql(`CREATE TABLE ${tag} (n int)`);
  await sql(`CREATE FUNCTION ${tag}() RETURNS trigger LANGUAGE plpgsql AS
    $$ BEGIN INSERT INTO ${tag} VALUES (1); RETURN NEW; END $$`);
  await sql(`CREATE TRIGGER ${tag} BEFORE INSERT OR UPDATE ON read_markers FOR EACH ROW
    WHEN (NEW.user_id = ${Number(w.member.user.id)}) EXECUTE FUNCTION ${tag}()`);
  try {
    const marker = () => sql(`SELECT k.last_read_id, k.read_seq, m.seq FROM read_markers k
      JOIN messages m ON m.id = k.last_read_id WHERE k.user_id = $1 AND k.room_id = $2`,
    [w.member.user.id, w.room]);
    // The one-statement path.
    const a = await w.member.post(`/api/rooms/${w.room}/messages`, { text: 'second' });
    assert.equal(a.status, 201, a.text);
    let [k] = await marker();
    assert.equal(Number(k.last_read_id), a.json.id);
    assert.equal(Number(k.read_seq), Number(k.seq));
    assert.equal((await sql(`SELECT count(*)::int AS n FROM ${tag}`))[0].n, 1);
    // The general path (slow mode: a plain member's post goes there).
    await sql('UPDATE rooms SET slow_mode_seconds = 60 WHERE id = $1', [w.room]);
    await sql('UPDATE read_markers SET last_posted_at = NULL WHERE user_id = $1 AND room_id = $2',
      [w.member.user.id, w.room]);
    await sql(`TRUNCATE ${tag}`);
    const b = await w.member.post(`/api/rooms/${w.room}/messages`, { text: 'third' });
    assert.equal(b.status, 201, b.text);
    [k] = await marker();
    assert.equal(Number(k.last_read_id), b.json.id);
    assert.equal(Number(k.read_seq), Number(k.seq));
    assert.equal((await sql(`SELECT count(*)::int AS n FROM ${tag}`))[0].n, 1);
  } finally {
    await sql(`DROP TRIGGER ${tag} ON read_markers`);
    await sql(`DROP FUNCTION ${tag}()`);
    await sql(`DROP TABLE ${tag}`);
  }
});
