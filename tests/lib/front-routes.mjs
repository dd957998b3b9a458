// front-routes.mjs - the programs' own route tables (easychat-<program> --routes) against conf/routes.txt, the front servers' routing.
//
//   node tests/lib/front-routes.mjs check BIN_DIR   exit 1 when a route would be
//                                             sent to another program
//   node tests/lib/front-routes.mjs list BIN_DIR    one listing: method, path,
//                                             program that serves it
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { programs } from './routes.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const PROGRAMS = programs();

/** conf/routes.txt as [{ program, re }] in matching order. */
function frontRoutes() {
  return fs.readFileSync(path.join(repo, 'conf/routes.txt'), 'utf8').split('\n')
    .map((l) => l.trim()).filter((l) => l && !l.startsWith('#'))
    .map((l) => { const [program, re] = l.split(/\s+/); return { program, re: new RegExp(re) }; });
}

/** Where the front servers send PATH: the first matching line's program. */
function frontProgram(front, urlPath) {
  const hit = front.find((r) => r.re.test(urlPath));
  return hit ? hit.program : null;
}

/** A concrete path for a pattern such as /api/groups/{id}/members/{id}. */
function sample(pattern) {
  return pattern.replace(/\{id\}/g, '12').replace(/\{[a-z]+\}/g, 'abc');
}

const [cmd, binDir] = process.argv.slice(2);
if (!['check', 'list'].includes(cmd) || !binDir) {
  console.error('usage: front-routes.mjs check|list BIN_DIR');
  process.exit(2);
}
const front = frontRoutes();
const rows = [];
for (const p of PROGRAMS) {
  const out = execFileSync(path.join(binDir, `easychat-${p}`), ['--routes'], { encoding: 'utf8' });
  for (const r of JSON.parse(out).routes) rows.push({ owner: p, method: r.method, path: r.path });
}
let bad = 0;
for (const r of rows) {
  const to = frontProgram(front, sample(r.path));
  r.to = to;
  if (to !== r.owner) bad++;
}
if (cmd === 'list') {
  for (const r of rows) {
    const note = r.to === r.owner ? '' : `   <- but the front servers send it to ${r.to}`;
    console.log(`${r.owner.padEnd(7)} ${r.method.padEnd(6)} ${r.path}${note}`);
  }
  console.log(`relay   GET    /ws  (websocket upgrade, proxied)`);
} else {
  for (const r of rows.filter((x) => x.to !== x.owner)) {
    console.error(`routes: ${r.method} ${r.path} is served by ${r.owner} but conf/routes.txt sends it to ${r.to}`);
  }
  // Every line of routes.txt must serve something (no dead routing).
  for (const f of front) {
    if (!rows.some((r) => r.to === f.program)) {
      console.error(`routes: conf/routes.txt line for ${f.program} matches none of its routes`);
      bad++;
    }
  }
  console.log(`routes: ${rows.length - bad} passed, ${bad} failed`);
}
process.exit(bad ? 1 : 0);
