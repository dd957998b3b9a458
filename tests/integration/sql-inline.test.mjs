// sql-inline.test.mjs - the SQL helpers on the hot paths are inlined by
// the planner (db/README.md): a SQL function that is not is parsed and
// planned again on every execution (PostgreSQL 15), which was a third of
// PostgreSQL's CPU per post before 0085.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { closeDb, sql } from '../lib/db.mjs';

after(closeDb);

async function plan(query) {
  const rows = await sql(`EXPLAIN (VERBOSE, COSTS OFF) ${query}`);
  return rows.map((r) => r['QUERY PLAN']).join('\n');
}

test('ec_ts is inlined (declared no less volatile than to_char)', async () => {
  const p = await plan('SELECT ec_ts(created_at) FROM messages WHERE id = 1');
  assert.ok(!p.includes('ec_ts('), p);
  assert.ok(p.includes('to_char('), p);
});

test('a message JSON over joined rows is inlined, timestamps included', async () => {
  const p = await plan(`SELECT ec_message_json(m, u, pr, q) FROM messages m
    LEFT JOIN users u ON u.id = m.sender_id
    LEFT JOIN profiles pr ON pr.user_id = u.id
    LEFT JOIN messages q ON q.id = m.reply_to WHERE m.id = 1`);
  assert.ok(!p.includes('ec_message_json('), p);
  assert.ok(!p.includes('ec_ts('), p);
});

test('the generated search column does not inline a SQL body per INSERT', async () => {
  const rows = await sql(`SELECT l.lanname FROM pg_proc f JOIN pg_language l
    ON l.oid = f.prolang WHERE f.proname = 'ec_search_text'`);
  assert.deepEqual(rows.map((r) => r.lanname), ['plpgsql']);
});

test('the #room references of a post are not a SQL function planned per call', async () => {
  // Called from the trigger ec_room_refs_keep(), a SQL function's body is
  // parsed and planned on every post with a '#' (~1 ms, pg_stat_user_functions).
  const rows = await sql(`SELECT l.lanname FROM pg_proc f JOIN pg_language l
    ON l.oid = f.prolang WHERE f.proname = 'ec_room_refs'`);
  assert.deepEqual(rows.map((r) => r.lanname), ['plpgsql']);
});

test('notify_level() is not a SQL function planned per call', async () => {
  // Its body has a subquery, so the planner never inlines it: as SQL it
  // was planned again for every subscribed member on every post (the push
  // probe ec_push_on_message; results/2026-12-06-writes4.md).
  const rows = await sql(`SELECT l.lanname FROM pg_proc f JOIN pg_language l
    ON l.oid = f.prolang WHERE f.proname = 'notify_level'`);
  assert.deepEqual(rows.map((r) => r.lanname), ['plpgsql']);
});
