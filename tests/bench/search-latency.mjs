// search-latency.mjs - sequential latency of GET /api/search/messages and
// /api/search/groups through lighttpd, per kind of query, on a database
// seeded by tests/bench/seed.sql (1 M messages "bench message <i> <md5(i)>",
// 1 k rooms "room <k>", 10 groups, 100 users in every group).
//
//   . VAR/stack.env && node tests/bench/search-latency.mjs
//   N=300 ONLY=prefix,no node tests/bench/search-latency.mjs
//
// Signs in as bench_<tag>_1 of the newest seed (password 'correct horse
// battery') and uses a bearer token.  Prints p50/p90/p99/max per case, the
// average number of items, and the load average before and after (the
// figures mean little on a busy machine: report the load with them).
import { loadavg } from 'node:os';
import { createHash } from 'node:crypto';
import { raw, PASSWORD } from '../lib/api.mjs';
import { sql, closeDb } from '../lib/db.mjs';

const N = Number(process.env.N || 200);
const ONLY = process.env.ONLY ? process.env.ONLY.split(',') : null;

const [u] = await sql("SELECT id, username FROM users WHERE username LIKE 'bench\\_%\\_1' "
  + 'ORDER BY id DESC LIMIT 1');
if (!u) throw new Error('no bench user: seed with tests/bench/seed.sql first');
const tag = u.username.split('_')[1];
const groups = (await sql('SELECT id FROM groups WHERE name LIKE $1 ORDER BY id',
  [`bench ${tag} %`])).map((r) => Number(r.id));
const rooms = (await sql('SELECT r.id FROM rooms r WHERE r.group_id = ANY($1) ORDER BY r.id',
  [groups])).map((r) => Number(r.id));
// Names of rooms user 1 wrote in (seed.sql: one sender per room).
const own = (await sql('SELECT DISTINCT r.name FROM messages m JOIN rooms r ON r.id = m.room_id '
  + 'WHERE m.sender_id = $1 AND r.id = ANY($2)', [u.id, rooms])).map((r) => r.name);
const tok = await raw('/api/auth/token', { method: 'POST',
  json: { username: u.username, password: PASSWORD } });
if (tok.status !== 200) throw new Error(`sign-in: ${tok.status} ${tok.text}`);
const auth = { Authorization: `Bearer ${tok.json.access}` };

const md5 = (i) => createHash('md5').update(String(i)).digest('hex');
const typo = (s) => s.slice(0, 10) + (s[10] === 'a' ? 'b' : 'a') + s.slice(11);
const rnd = (n) => Math.floor(Math.random() * n);
const enc = encodeURIComponent;
const cases = {
  'common word': () => 'q=bench',
  'rare exact (md5)': () => `q=${md5(rnd(1e6))}`,
  'prefix (8 hex)': () => `q=${md5(rnd(1e6)).slice(0, 8)}`,
  'prefix, common (mess)': () => 'q=mess',
  'typo, rare (md5)': () => `q=${typo(md5(rnd(1e6)))}`,
  'typo, common (mesage)': () => 'q=mesage',
  'no match': () => `q=zq${rnd(1e6)}xy`,
  'no match, word-like': () => 'q=zzqqxxyy',
  'from:+in: common, empty': () => `q=${enc(`from:${u.username} in:"room ${rnd(1000)}" message`)}`,
  'from:+in: common, own room': () => `q=${enc(`from:${u.username} in:"${own[rnd(own.length)]}" message`)}`,
  'from: common': () => `q=${enc(`from:${u.username} message`)}`,
  'from: rare': () => `q=${enc(`from:${u.username} ${md5(rnd(1e6))}`)}`,
  'in: prefix': () => `q=${enc(`in:"room ${rnd(1000)}" mess`)}`,
  'room_id rare': () => `q=${md5(rnd(1e6))}&room_id=${rooms[rnd(rooms.length)]}`,
  'group_id common': () => `q=message&group_id=${groups[rnd(groups.length)]}`,
  'two words + before:': () => `q=${enc('bench message before:2026-11-20')}`,
  'offset 500': () => 'q=message&offset=500&limit=50',
  'groups: typo': () => ['groups', 'bnech'],
  'groups: exact': () => ['groups', 'bench'],
  'groups: no match': () => ['groups', 'zzqqxxyy'],
};

const pct = (a, p) => a[Math.min(a.length - 1, Math.floor(a.length * p))];
const f = (x) => x.toFixed(1).padStart(6);
console.log(`search-latency: ${N} requests per case, user ${u.username}, `
  + `load ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
for (const [name, mk] of Object.entries(cases)) {
  if (ONLY && !ONLY.some((o) => name.includes(o))) continue;
  const t = [];
  let items = 0;
  for (let i = 0; i < N; i++) {
    const v = mk();
    const url = Array.isArray(v) ? `/api/search/groups?q=${enc(v[1])}` : `/api/search/messages?${v}`;
    const t0 = performance.now();
    const res = await raw(url, { headers: auth });
    t.push(performance.now() - t0);
    if (res.status !== 200) throw new Error(`${name}: ${res.status} ${res.text}`);
    items += res.json.items.length;
  }
  t.sort((a, b) => a - b);
  console.log(`${name.padEnd(28)} p50 ${f(pct(t, 0.5))}  p90 ${f(pct(t, 0.9))}  `
    + `p99 ${f(pct(t, 0.99))}  max ${f(t.at(-1))} ms  items ${(items / N).toFixed(1)}`);
}
console.log(`load ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
await closeDb();
