// statements.mjs - the SQL statements PostgreSQL runs while a test's
// request runs, from its own statement log (log_statement = all while a
// test file asks for it), so that tests can count an endpoint's round
// trips.  Background statements (tagged ec:background, e.g. the
// revocation poll each program runs at most once a second) are left out,
// and so are pgbouncer's parameter SETs.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { env, sleep } from './api.mjs';
import { sql } from './db.mjs';

const LOG = path.join(env.varDir, 'log', 'postgres.log');

/** Turns the statement log on (call from before()). */
export async function logStatements() {
  await sql("ALTER SYSTEM SET log_statement = 'all'");
  await sql('SELECT pg_reload_conf()');
  for (let i = 0; i < 100; i++) {
    const [{ v }] = await sql("SELECT current_setting('log_statement') AS v");
    if (v === 'all') break;
    await sleep(20);
  }
}

/** Turns it off again (call from after(), before closeDb()). */
export async function stopLoggingStatements() {
  await sql('ALTER SYSTEM RESET log_statement').catch(() => {});
  await sql('SELECT pg_reload_conf()').catch(() => {});
}

/** Runs fn(); returns {res, lines}: the log lines of the statements
 * logged meanwhile, background ones left out. */
export async function statementsDuring(fn) {
  const mark = randomBytes(6).toString('hex');
  await sql(`SELECT 'qc-begin-${mark}'`);
  const res = await fn();
  await sql(`SELECT 'qc-end-${mark}'`);
  let text = '';
  for (let i = 0; i < 50 && !text.includes(`qc-end-${mark}`); i++) {
    text = readFileSync(LOG, 'utf8');
    if (!text.includes(`qc-end-${mark}`)) await sleep(20);
  }
  const from = text.lastIndexOf(`qc-begin-${mark}`);
  const to = text.lastIndexOf(`qc-end-${mark}`);
  assert.ok(from >= 0 && to > from, 'markers in the statement log');
  const lines = text.slice(from, to).split('\n').slice(1, -1)
    .filter((l) => /LOG:\s+(statement|execute [^:]*):/.test(l))
    .filter((l) => !l.includes('ec:background'))
    // pgbouncer's own SET of the client's parameters on a server
    // connection it just opened (TOPOLOGY=multi, after a PostgreSQL
    // restart), not a statement of the program's.
    .filter((l) => !/:\s+SET application_name=/.test(l));
  return { res, lines };
}

/** Runs fn(); returns {res, queries, tx}: the number of statements other
 * than transaction control, and the transaction control statements
 * ('BEGIN', 'COMMIT', 'ROLLBACK') in order, that the server logged
 * meanwhile (background ones left out). */
export async function countStatements(fn) {
  const { res, lines } = await statementsDuring(fn);
  const tx = lines.filter((l) => /:\s+(BEGIN|COMMIT|ROLLBACK)\s*$/.test(l));
  return { res, queries: lines.length - tx.length, tx: tx.map((l) => l.replace(/^.*:\s+/, '').trim()) };
}
