// Prints the gzip size of the initial JavaScript: the scripts and module
// preloads that dist/index.html loads before anything is lazy-loaded.
// Budget: 200 KB gzip. Run after `npm run build`.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const BUDGET = 200 * 1024;
const html = readFileSync(new URL('../dist/index.html', import.meta.url), 'utf8');
const files = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.js)"/g)].map((m) => m[1]);
let total = 0;
for (const f of files) {
  const size = gzipSync(readFileSync(new URL(`../dist/${f}`, import.meta.url)), { level: 9 }).length;
  total += size;
  console.log(`${f}: ${(size / 1024).toFixed(1)} KB gzip`);
}
console.log(`initial JS: ${(total / 1024).toFixed(1)} KB gzip (budget ${BUDGET / 1024} KB)`);
if (total > BUDGET) {
  console.error('over budget');
  process.exit(1);
}
