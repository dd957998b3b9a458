// app.test.mjs - the accept loop's safety net (common/app.c): a handler
// that answers without committing leaves no trace, the next request of
// the same process runs outside its transaction, and the bug is logged.
// tests/fixtures/app_forgets_commit.c drives app_serve() in one process
// against the real PostgreSQL of the stack.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { unique } from '../lib/api.mjs';
import { sql, closeDb } from '../lib/db.mjs';

after(closeDb);

function fixture(...paths) {
  const bin = path.join(process.env.BIN_DIR, '..', 'tests', 'fixtures', 'app_forgets_commit');
  return new Promise((resolve) => {
    execFile(bin, paths, { env: process.env, encoding: 'utf8', timeout: 20000 },
      (err, stdout, stderr) => resolve({ code: err ? err.code : 0, stdout, stderr }));
  });
}

/** The CGI answers in the fixture's output, in order: [{status, json}]. */
function answers(stdout) {
  return stdout.split('\r\n--\r\n').slice(0, -1).map((a) => {
    const [head, body] = a.split('\r\n\r\n');
    return { status: Number(head.match(/^Status: (\d+)/m)[1]), json: JSON.parse(body) };
  });
}

test('a handler that forgets to commit leaves nothing behind and the next request works', async () => {
  const name = unique('forgot');
  const out = await fixture(`/forget/${name}`, `/check/${name}`, `/check/${name}`);
  assert.equal(out.code, 0, out.stderr);
  const [forget, check, again] = answers(out.stdout);
  assert.equal(forget.status, 201);
  // The next request in the same process neither sees the row nor runs
  // inside the transaction that wrote it.
  assert.deepEqual(check, { status: 200, json: { count: 0, same_transaction: false } });
  assert.deepEqual(again, check);
  // Nobody else sees it either.
  assert.deepEqual(await sql('SELECT id FROM users WHERE username = $1', [name]), []);
  // The bug is reported (make test fails when a stack program logs it).
  assert.match(out.stderr, /handler for GET \/forget\/\S+ left a transaction open; rolled back/);
  assert.doesNotMatch(out.stderr, /\/check\/\S+ left a transaction open/);
});
