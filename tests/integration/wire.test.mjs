// wire.test.mjs - each enumeration and event type is written once, in
// common/wire.h (printed by easychat-wire); the SQL CHECK constraints of
// the live test database, the OpenAPI enums, the SPA's TypeScript types
// and relay/PROTOCOL.md must say the same.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { REPO } from '../lib/api.mjs';
import { sql, closeDb } from '../lib/db.mjs';

after(closeDb);

function wire() {
  const bin = path.join(process.env.BIN_DIR || path.join(REPO, 'build/release/bin'), 'easychat-wire');
  return JSON.parse(execFileSync(bin, ['--json'], { encoding: 'utf8' }));
}

// table.column -> the enumeration of wire.h it must equal.
const COLUMNS = [
  ['profiles', 'status', 'statuses'],
  ['profiles', 'default_status', 'statuses'],
  ['profiles', 'gender', 'genders'],
  ['groups', 'category', 'categories'],
  ['group_members', 'role', 'roles'],
  ['notify_prefs', 'group_level', 'notify_levels'],
  ['notify_prefs', 'dm_level', 'notify_levels'],
  ['notify_settings', 'level', 'notify_levels'],
];
const ENUMS = ['statuses', 'genders', 'categories', 'roles', 'notify_levels'];

// The values of `col IN (...)` in a CHECK constraint as PostgreSQL
// prints it: CHECK ((col = ANY (ARRAY['a'::text, 'b'::text]))).
function checkValues(def) {
  return [...def.matchAll(/'((?:[^']|'')*)'::text/g)].map((m) => m[1].replace(/''/g, "'"));
}

test('SQL CHECK constraints allow exactly the values of wire.h', async () => {
  const w = wire();
  for (const [table, column, name] of COLUMNS) {
    const rows = await sql(
      `SELECT pg_get_constraintdef(c.oid) AS def FROM pg_constraint c
         JOIN pg_class t ON t.oid = c.conrelid
         JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = ANY (c.conkey)
        WHERE c.contype = 'c' AND t.relname = $1 AND a.attname = $2`,
      [table, column]);
    assert.equal(rows.length, 1, `one CHECK on ${table}.${column}`);
    assert.deepEqual(checkValues(rows[0].def).sort(), [...w[name]].sort(),
      `${table}.${column} vs wire_${name}`);
  }
});

// Every `enum: [...]` of the OpenAPI sources that names one of the
// enumerations (by its values) must list it whole and in the same order.
test('OpenAPI enums equal the tables of wire.h', () => {
  const w = wire();
  const files = fs.readdirSync(path.join(REPO, 'fcgi-apps'))
    .map((p) => path.join(REPO, 'fcgi-apps', p, 'openapi.yaml'))
    .concat([path.join(REPO, 'common/openapi.yaml'), path.join(REPO, 'relay/protocol.yaml')])
    .filter((f) => fs.existsSync(f));
  const seen = new Set();
  for (const f of files) {
    for (const m of fs.readFileSync(f, 'utf8').matchAll(/enum:\s*\[([^\]]*)\]/g)) {
      const values = m[1].split(',').map((v) => v.trim().replace(/^['"]|['"]$/g, ''));
      // The enumeration it shares most values with ('Undefined' is in
      // two of them).
      const [best, shared] = ENUMS
        .map((name) => [name, values.filter((v) => w[name].includes(v)).length])
        .sort((a, b) => b[1] - a[1])[0];
      if (shared < 2) continue;
      assert.deepEqual(values, w[best], `${path.relative(REPO, f)}: ${m[0]}`);
      seen.add(best);
    }
  }
  assert.deepEqual([...seen].sort(), ['categories', 'genders', 'notify_levels', 'roles', 'statuses']);
});

function tsFiles(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : tsFiles(p);
    return /\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name) ? [p] : [];
  });
}

// The SPA's string-literal unions for the enumerations, wherever they
// live under htdocs/src (hand-written or generated).
test("the SPA's enumeration types equal the tables of wire.h", () => {
  const w = wire();
  const text = tsFiles(path.join(REPO, 'htdocs/src')).map((f) => fs.readFileSync(f, 'utf8')).join('\n');
  // `type X = 'a' | 'b';` by hand, or `X: "a" | "b";` in the types that
  // openapi-typescript generates (src/shared/api/schema.gen.ts).
  const unions = [...text.matchAll(/[=:]\s*((?:\s*\|?\s*(?:'[^']*'|"[^"]*"))+)\s*;/g)]
    .map((m) => [...m[1].matchAll(/'([^']*)'|"([^"]*)"/g)].map((v) => v[1] ?? v[2]));
  const seen = new Set();
  for (const values of unions) {
    for (const name of ENUMS) {
      if (values.length < 2 || !values.every((v) => w[name].includes(v))) continue;
      if (values.length !== w[name].length) continue; // a subset on purpose
      assert.deepEqual([...values].sort(), [...w[name]].sort(), name);
      seen.add(name);
    }
  }
  assert.deepEqual([...seen].sort(), ['categories', 'genders', 'notify_levels', 'roles', 'statuses'],
    'each enumeration has a TypeScript union in htdocs/src');
});

test('every event type is documented in relay/PROTOCOL.md and known to the SPA', () => {
  const { events } = wire();
  const protocol = fs.readFileSync(path.join(REPO, 'relay/PROTOCOL.md'), 'utf8');
  for (const e of events) {
    assert.ok(protocol.includes(`| \`${e.type}\` | `), `relay/PROTOCOL.md's event table has ${e.type}`);
  }
  // Whatever type the SPA switches on must be one the servers send.
  const text = tsFiles(path.join(REPO, 'htdocs/src')).map((f) => fs.readFileSync(f, 'utf8')).join('\n');
  const handled = [...text.matchAll(/case '([a-z]+(?:\.[a-z]+)?)':/g)].map((m) => m[1]);
  const types = new Set(events.map((e) => e.type));
  const relayEvents = handled.filter((t) => /^(message|room|topic|group|member)\.|^(membership|typing|presence|resync|error)$/.test(t));
  assert.ok(relayEvents.length >= 10, 'the SPA handles the events');
  for (const t of relayEvents) assert.ok(types.has(t), `${t} is a wire event`);
});
