#!/usr/bin/env node
// contracts.mjs - writes fcgi-apps/CONTRACTS.md, each program's contract
// (routes, tables it writes, Redis keys and channels it reads and writes,
// events it publishes, cache versions it bumps), from the C sources:
//   node fcgi-apps/contracts.mjs          rewrite the document
//   node fcgi-apps/contracts.mjs --check  exit 1 when the document is stale
// How: the route table of fcgi-apps/<p>/main.c gives the routes; a call
// graph over the program's files and common/*.c (Kore style: a function
// definition starts with its name at column 0 and ends with "}" at column
// 0) gives every function the program can run; the SQL string literals,
// the common/wire.h calls, the WIRE_EV_* types and the Redis operations
// of those functions give the rest.  Names come from common/wire.c's own
// format strings, so a renamed key shows here too.  The "Writers:" and
// "Readers:" lines next to each name in common/wire.h must match what the
// code does (checked on every run, --check or not).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(REPO, 'fcgi-apps/CONTRACTS.md');

const read = (p) => fs.readFileSync(path.join(REPO, p), 'utf8');
const cFiles = (dir) => fs.readdirSync(path.join(REPO, dir))
  .filter((f) => f.endsWith('.c')).sort().map((f) => path.join(dir, f));

// Comments out, string literals kept (SQL and key formats live there).
function stripComments(text) {
  return text.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/^\s*\/\/.*$/gm, '');
}

// The definitions of a file: functions, file-scope string constants and
// macros, each as { name, body }.
function definitions(file) {
  const text = stripComments(read(file));
  const defs = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const fn = /^([a-z_][a-z0-9_]*)\(/.exec(lines[i]);
    if (fn) {
      let j = i;
      while (j < lines.length && lines[j] !== '}') j++;
      defs.push({ name: fn[1], body: lines.slice(i + 1, j + 1).join('\n'), file });
      i = j;
      continue;
    }
    const cst = /^(?:static )?const char (\w+)\[\]\s*=/.exec(lines[i]);
    const mac = /^#define (\w+)(?:\([^)]*\))?\s/.exec(lines[i]);
    if (cst || mac) {
      let j = i;
      if (cst) while (j < lines.length && !/;\s*$/.test(lines[j])) j++;
      else while (j < lines.length && /\\\s*$/.test(lines[j])) j++;
      defs.push({ name: (cst || mac)[1], body: lines.slice(i, j + 1).join('\n'), file });
      i = j;
    }
  }
  return defs;
}

const strings = (body) => [...body.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]).join('');
const idents = (body) => new Set(body.match(/\b[A-Za-z_]\w*\b/g) || []);

// Key and channel names, from the wire functions' own format strings.
// name -> the wire.h identifier that builds it.
const ids = {};

function wireNames() {
  const names = {};
  const macros = Object.fromEntries([...stripComments(read('common/wire.c'))
    .matchAll(/^#define (\w+)\s+("[^"]*")/gm)].map((m) => [m[1], m[2]]));
  const argName = (a) => `<${a.trim().replace(/^\(\w+\)/, '')}>`;
  for (const d of definitions('common/wire.c')) {
    if (!/^wire_(key|channel)_/.test(d.name) || d.name === 'wire_channel_parse') continue;
    const body = d.body.replace(/\bPRId64\b/g, '"lld"').replace(/\b[A-Z_][A-Z0-9_]*\b/g, (w) => macros[w] || w);
    const call = /snprintf\(\s*\w+,\s*\w+,\s*((?:"(?:[^"\\]|\\.)*"\s*)+)((?:,[^,;]+)*)\);/.exec(body);
    if (!call) continue;
    const args = call[2].split(',').slice(1).map(argName);
    let k = 0;
    let s = strings(call[1]).replace(/%(\.\d+s|\.\*s|s|lld)/g, (m) => (m === '%.*s' ? args[(k += 2) - 1] : args[k++]));
    if (/^wire_key_rl_login_user/.test(d.name)) s += '<username>';
    names[d.name] = s.replace(/<\(int\)len>/g, '');
    ids[s.replace(/<\(int\)len>/g, '')] = d.name;
  }
  for (const m of read('common/wire.h').matchAll(/#define (WIRE_KEY_\w+)\s+"([^"]+)"/g)) {
    names[m[1]] = m[2];
    ids[m[2]] = m[1];
  }
  return names;
}

function wireEvents() {
  const out = {};
  for (const m of read('common/wire.h').matchAll(/X\((\w+), "([^"]+)", (\w+)\)/g)) {
    out[`WIRE_EV_${m[1]}`] = { type: m[2], channel: m[3] };
  }
  return out;
}

// Redis operations: what a function (or the functions it calls directly)
// does to the names it builds.
const WRITES = /\b(rds_publish|rds_incr|rds_set|rds_take|rds_eval|bus_publish)\b|"(HSET|EXPIRE|EVAL|GETDEL|HDEL|SET|DEL|INCR)\b/;
const READS = /\b(rds_exists|rds_exists_many|rds_counter|rds_take|rds_eval|bus_subscribe)\b|"(EXISTS|GETDEL|GET|HGETALL|EVAL)\b/;

function contract(defs, roots, names, events) {
  const byName = new Map();
  for (const d of defs) if (!byName.has(d.name)) byName.set(d.name, d);
  const seen = new Set();
  const todo = [...roots];
  while (todo.length) {
    const n = todo.pop();
    if (seen.has(n) || !byName.has(n)) continue;
    seen.add(n);
    for (const id of idents(byName.get(n).body)) if (byName.has(id) && !seen.has(id)) todo.push(id);
  }
  const tables = new Set();
  const redis = new Map();
  const published = new Set();
  const bumps = new Set();
  for (const n of seen) {
    const { body } = byName.get(n);
    const sql = strings(body).replace(/\s+/g, ' ');
    for (const m of sql.matchAll(/\b(INSERT INTO|DELETE FROM|UPDATE)\s+(\w+)/gi)) {
      if (!/^(OF|SET)$/i.test(m[2])) tables.add(m[2]);
    }
    const ids = idents(body);
    // The body plus its direct callees decide read or write.
    const near = [body, ...[...ids].filter((id) => byName.has(id)).map((id) => byName.get(id).body)].join('\n');
    for (const id of ids) {
      if (names[id]) {
        const e = redis.get(names[id]) || { read: false, write: false };
        e.write ||= WRITES.test(near);
        e.read ||= READS.test(near);
        redis.set(names[id], e);
      }
      if (events[id] && (/\bevent_(group|user)\s*\(/.test(body) || /\bwire_event\s*\(/.test(body))) {
        published.add(id);
      }
      if (id === 'hist_touch_profiles') bumps.add(`\`${names.WIRE_KEY_HIST_PROFILES}\` (INCR after the commit)`);
      if (id === 'event_group' && n !== 'event_group') bumps.add(`\`${names.wire_key_hist_group}\` (INCR with each group event)`);
    }
    if (/\bevent_membership\s*\(/.test(body)) published.add('WIRE_EV_MEMBERSHIP');
    if (/\bevent_membership\s*\([^;]*,\s*0\s*\)/.test(body)) bumps.add(`\`${names.wire_key_acl_members}\` (INCR after removing members)`);
  }
  return {
    tables: [...tables].sort(),
    redis: [...redis.entries()].sort(),
    events: [...published].map((e) => events[e]).sort((a, b) => a.type.localeCompare(b.type)),
    bumps: [...bumps].sort(),
  };
}

function routes(file) {
  const text = stripComments(read(file));
  const macros = Object.fromEntries([...text.matchAll(/^#define (\w+)\s+(.+)$/gm)].map((m) => [m[1], m[2].trim()]));
  const table = /struct http_route \w+\[\]\s*=\s*\{([\s\S]*?)\n\};/.exec(text);
  if (!table) return [];
  return [...table[1].matchAll(/\{\s*HTTP_(\w+),\s*"([^"]+)",\s*(\w+),\s*([^}]*)\}/g)].map((m) => {
    const flags = m[4].replace(/\b\w+\b/g, (w) => macros[w] || w);
    const auth = /AUTH_REQUIRED/.test(flags) ? 'required' : /AUTH_OPTIONAL/.test(flags) ? 'optional' : 'none';
    const body = /MULTIPART/.test(flags) ? 'multipart' : /BODY_RAW/.test(flags) ? 'raw' : 'JSON';
    return { method: m[1], path: m[2], handler: m[3], auth, body };
  });
}

function render() {
  const names = wireNames();
  const events = wireEvents();
  const common = cFiles('common').flatMap(definitions);
  const out = [];
  out.push('# Program contracts');
  out.push('');
  out.push('Generated by `fcgi-apps/contracts.mjs` from the code (`make contracts`);');
  out.push('`tests/integration/contracts.test.mjs` fails when this file and the');
  out.push('code disagree. Do not edit by hand.');
  out.push('');
  out.push('What a program must do to replace one of these (see README,');
  out.push('"Swapping a program"): answer the routes as `openapi.yaml` says, write');
  out.push('the same tables, read and write the same Redis names, publish the same');
  out.push('events after its commits (built as `common/wire.h` says: the envelope');
  out.push('and every name are defined there), and bump the same cache versions.');
  out.push('The history cache of a room (common/hist.h) needs a replacement to');
  out.push('publish every change a page shows as a group event through');
  out.push('`event_group()` (which moves `hist:group:<group>` in the same Redis');
  out.push('call) and to call `event_membership(..., 0)` after removing members');
  out.push('(which moves `acl:members:<group>`). Redis names are listed with what');
  out.push('the program does to them; "read" includes checks such as EXISTS.');
  out.push('');
  const programs = fs.readdirSync(path.join(REPO, 'fcgi-apps'))
    .filter((p) => fs.existsSync(path.join(REPO, 'fcgi-apps', p, 'main.c'))).sort();
  const units = programs.map((p) => ({ name: p, dir: `fcgi-apps/${p}`, program: `easychat-${p}` }));
  units.push({ name: 'relay', dir: 'relay', program: 'easychat-relay' });
  const index = new Map(); // name -> { writers, readers }
  for (const u of units) {
    const own = cFiles(u.dir).flatMap(definitions);
    const r = u.name === 'relay' ? [] : routes(`${u.dir}/main.c`);
    const c = contract([...own, ...common], ['main', ...own.map((d) => d.name)], names, events);
    out.push(`## ${u.name} (\`${u.program}\`)`);
    out.push('');
    if (r.length) {
      out.push('| method | path | handler | sign-in | body |');
      out.push('|---|---|---|---|---|');
      for (const x of r) out.push(`| ${x.method} | \`${x.path}\` | \`${x.handler}\` | ${x.auth} | ${x.body} |`);
      out.push('');
    } else if (u.name === 'relay') {
      out.push('Websocket `GET /ws` (relay/PROTOCOL.md) and `GET /metrics`.');
      out.push('');
    }
    out.push(`- Tables written: ${c.tables.length ? c.tables.map((t) => `\`${t}\``).join(', ') : 'none'}`);
    out.push(`- Events published: ${c.events.length ? c.events.map((e) => `\`${e.type}\` (${e.channel === 'group' ? '`group:<id>`' : e.channel === 'user' ? '`user:<id>`' : 'one connection'})`).join(', ') : 'none'}`);
    out.push(`- Cache versions bumped: ${c.bumps.length ? c.bumps.join(', ') : 'none'}`);
    out.push('- Redis:');
    out.push('');
    out.push('  | name | read | write |');
    out.push('  |---|---|---|');
    for (const [n, e] of c.redis) {
      out.push(`  | \`${n}\` | ${e.read ? 'yes' : ''} | ${e.write ? 'yes' : ''} |`);
      if (!index.has(n)) index.set(n, { writers: [], readers: [] });
      if (e.write) index.get(n).writers.push(u.name);
      if (e.read) index.get(n).readers.push(u.name);
    }
    out.push('');
  }
  out.push('## Redis names');
  out.push('');
  out.push('Every key and channel, with the programs that write and read it (the');
  out.push('same lists stand next to its function in `common/wire.h`).');
  out.push('');
  out.push('| name | built by | written by | read by |');
  out.push('|---|---|---|---|');
  const sorted = [...index.entries()].sort((a, b) => a[0].localeCompare(b[0]));
  for (const [n, e] of sorted) {
    e.writers.sort();
    e.readers.sort();
    out.push(`| \`${n}\` | \`${ids[n]}\` | ${e.writers.join(', ')} | ${e.readers.join(', ')} |`);
  }
  out.push('');
  return { text: out.join('\n'), index: sorted };
}

// The "Writers:" / "Readers:" lines of wire.h's comment above each name's
// function or macro must list what the code does.
function checkAnnotations(index) {
  const header = read('common/wire.h');
  const problems = [];
  for (const [n, e] of index) {
    const at = header.search(new RegExp(`(\\b${ids[n]}\\()|(#define ${ids[n]}\\b)`));
    const comment = at < 0 ? '' : header.slice(header.lastIndexOf('/*', at), at);
    const list = (label) => {
      const m = new RegExp(`${label}:([^.]*)\\.`).exec(comment.replace(/\s*\n\s*\*\s*/g, ' '));
      return m ? m[1].split(',').map((x) => x.trim()).filter((x) => x && x !== 'none').sort().join(', ') : null;
    };
    const w = list('Writers');
    const r = list('Readers');
    if (w !== e.writers.join(', ') || r !== e.readers.join(', ')) {
      problems.push(`common/wire.h, ${ids[n]} (${n}): says Writers: ${w}; Readers: ${r}; ` +
        `the code: Writers: ${e.writers.join(', ')}.  Readers: ${e.readers.join(', ')}.`);
    }
  }
  return problems;
}

const { text, index } = render();
const problems = checkAnnotations(index);
if (problems.length) {
  console.error(problems.join('\n'));
  process.exit(1);
}
if (process.argv.includes('--check')) {
  const have = fs.existsSync(OUT) ? fs.readFileSync(OUT, 'utf8') : '';
  if (have !== text) {
    console.error('fcgi-apps/CONTRACTS.md is stale: run `node fcgi-apps/contracts.mjs` (make contracts) and commit it');
    process.exit(1);
  }
} else {
  fs.writeFileSync(OUT, text);
}
