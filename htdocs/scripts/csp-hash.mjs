// The sha256 of index.html's inline script, which the fronts' Content-Security-Policy allows by that hash
// (conf/lighttpd.conf.in, conf/nginx/easychat-app.conf.in). Prints it; --check (make check) fails when a
// front's policy does not name it, --write puts it there after the script was edited.
import { readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';

const html = readFileSync(new URL('../index.html', import.meta.url), 'utf8');
const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]);
if (scripts.length !== 1) {
  console.error(`csp-hash: expected one inline <script> in index.html, found ${scripts.length}`);
  process.exit(1);
}
const source = `'sha256-${createHash('sha256').update(scripts[0], 'utf8').digest('base64')}'`;
const confs = ['../../conf/lighttpd.conf.in', '../../conf/nginx/easychat-app.conf.in'].map((p) => new URL(p, import.meta.url));
// The SPA's policy: script-src 'self' and at most one hash.
const rule = /script-src 'self'(?: 'sha256-[A-Za-z0-9+/=]+')?;/g;
const mode = process.argv[2];
let stale = 0;
for (const conf of confs) {
  const text = readFileSync(conf, 'utf8');
  const want = `script-src 'self' ${source};`;
  const found = text.match(rule) || [];
  if (found.length === 0) {
    console.error(`csp-hash: no script-src 'self' in ${conf.pathname}`);
    process.exit(1);
  }
  if (found.every((r) => r === want)) continue;
  if (mode === '--write') writeFileSync(conf, text.replace(rule, want));
  else {
    console.error(`csp-hash: ${conf.pathname} does not allow index.html's inline script (${source}): run node scripts/csp-hash.mjs --write`);
    stale++;
  }
}
console.log(source);
if (mode === '--check' && stale) process.exit(1);
