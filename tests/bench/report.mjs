// report.mjs - turns the raw results of tests/bench/run.sh (one JSON object
// per line, from wsload, http.lua and run.sh) into the table on stdout and
// results/latest.json + latest.md, with the machine's description and the
// issue 7 targets next to each figure.  Never fails on numbers.
import { readFileSync, writeFileSync } from 'node:fs';
import { execSync } from 'node:child_process';
import os from 'node:os';

const args = {};
for (let i = 2; i < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];

const raw = {};
for (const line of readFileSync(args.raw, 'utf8').split('\n')) {
  if (!line.trim()) continue;
  try {
    const o = JSON.parse(line);
    raw[o.label] = o;
  } catch {
    process.stderr.write(`report: unparsable line: ${line.slice(0, 200)}\n`);
  }
}

function sh(cmd) {
  try { return execSync(cmd, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 10000 }).trim(); } catch { return ''; }
}

const machine = {
  cpu: (sh("lscpu | sed -n 's/^Model name: *//p'") || os.cpus()[0]?.model || '?'),
  cores: os.cpus().length,
  ram_gb: Math.round(os.totalmem() / 2 ** 30 * 10) / 10,
  kernel: `${os.type()} ${os.release()}`,
  nofile_limit: sh('ulimit -Hn'),
  loadavg_start_end: args.load,
  versions: {
    postgresql: sh('/usr/lib/postgresql/15/bin/postgres --version'),
    redis: sh('redis-server --version').replace(/ sha=.*/, ''),
    lighttpd: sh('lighttpd -v').split('\n')[0],
    libwebsockets: sh('pkg-config --modversion libwebsockets'),
    libev: sh("dpkg-query -W -f='${Version}' libev4 2>/dev/null || true"),
    hiredis: sh('pkg-config --modversion hiredis'),
    wrk: sh('wrk -v 2>&1 | head -1').replace(/ Copyright.*/, ''),
    cc: sh('cc --version | head -1'),
    node: process.version,
  },
  commit: sh('git rev-parse --short HEAD') + (sh('git status --porcelain -- common fcgi-apps relay db conf') ? ' (+ uncommitted changes)' : ''),
};

const f1 = (x) => (x === undefined || x === null || Number.isNaN(x) ? '–' : Number(x).toFixed(1));
const f2 = (x) => (x === undefined || x === null || Number.isNaN(x) ? '–' : Number(x).toFixed(2));
const k = (x) => (x === undefined || x === null ? '–' : x >= 10000 ? `${(x / 1000).toFixed(1)} k` : `${Math.round(x)}`);
const rows = [];
function row(scenario, figure, value, target = '', met = null) {
  rows.push({ scenario, figure, value, target, met });
}
// The stack's CPU time per request of a wrk run (run.sh's LABEL-cpu:
// front = lighttpd + the programs, then Redis, then PostgreSQL).
function cpu(label) {
  const c = raw[`${label}-cpu`];
  if (!c) return '';
  const u = c.us_per_request;
  return `; server CPU ${u.front + u.redis + u.postgres} µs/req (front ${u.front}, Redis ${u.redis}, PostgreSQL ${u.postgres})`;
}
const verdict = (m) => (m === null ? '' : m ? 'met' : 'MISSED');
const skipped = (o) => o && o.skipped;

// 6. floors
const fs = raw['floor-static'];
const ff = raw['floor-fcgi-noop'];
if (fs) row('6 floor', 'lighttpd static file (history-page size)', `${k(fs.rps)} req/s, p50 ${f2(fs.latency.p50_ms)} ms, p99 ${f2(fs.latency.p99_ms)} ms${cpu('floor-static')}`);
if (ff) row('6 floor', 'FastCGI no-op (GET /api/auth/providers)', `${k(ff.rps)} req/s, p50 ${f2(ff.latency.p50_ms)} ms, p99 ${f2(ff.latency.p99_ms)} ms${cpu('floor-fcgi-noop')}`);
for (const p of [1, 16]) {
  const r = raw[`floor-redis-publish-p${p}`];
  if (r) row('6 floor', `redis-benchmark PUBLISH 200 B, 50 clients, pipeline ${p}`, `${k(r.rps)} /s, p50 ${r.latency.p50_ms} ms, p99 ${r.latency.p99_ms} ms`);
}

// 3. reads
const rh = raw['reads-history'];
if (rh) {
  const errs = rh.errors.status + rh.errors.timeout + rh.errors.connect + rh.errors.read;
  const ratio = fs ? rh.rps / fs.rps : null;
  row('3 reads', 'GET /api/rooms/{id}/messages?limit=50 (Bearer, 16 conns)',
    `${k(rh.rps)} req/s, p50 ${f2(rh.latency.p50_ms)} ms, p99 ${f2(rh.latency.p99_ms)} ms${errs ? `, ${errs} errors` : ''}${cpu('reads-history')}`,
    '≥ 10 k req/s', rh.rps >= 10000 && !errs);
  if (ratio !== null) row('3 reads', 'history reads / static floor', f2(ratio), '≥ 0.30', ratio >= 0.3);
}
const rg = raw['reads-groups'];
if (rg) {
  const errs = rg.errors.status + rg.errors.timeout;
  row('3 reads', 'GET /api/groups, member of 50 groups', `${k(rg.rps)} req/s, p50 ${f2(rg.latency.p50_ms)} ms, p99 ${f2(rg.latency.p99_ms)} ms${errs ? `, ${errs} errors` : ''}${cpu('reads-groups')}`,
    '≥ 8 k req/s', rg.rps >= 8000 && !errs);
}

// SPA (issue 16 item 6; targets from issue 12)
const sf = raw['spa-cold-fast'];
const s3 = raw['spa-cold-3g'];
const ss = raw['spa-room-switch'];
if (sf && skipped(sf)) row('SPA', 'first screen and room switch (Chromium)', `skipped: ${sf.skipped}`);
else if (sf) {
  row('SPA', 'cold load of a room to its first message, loopback (median of 5)', `${sf.median_ms} ms (${sf.runs_ms.join(', ')})`, '< 1 s', sf.median_ms < 1000);
  if (s3) row('SPA', 'cold load, DevTools "Fast 3G" (median of 3)', `${s3.median_ms} ms (${s3.runs_ms.join(', ')})`, '< 2.5 s', s3.median_ms < 2500);
  if (ss) row('SPA', 'room switch (sidebar click to the room\'s first message, median of 5)', `${ss.median_ms} ms (${ss.runs_ms.join(', ')})`);
}

// 7. reactions (issue 13): history pages with reactions, PUT of one
const rr = raw['reads-history-reactions'];
// Plain pages of as many rooms (100), measured just before; older raw
// files have only scenario 3's figure over 1000 rooms.
const rh100 = raw['reads-history-100'];
const plain = rh100 || rh;
if (rh100) {
  row('7 reactions', 'GET /api/rooms/{id}/messages?limit=50, 100 rooms without reactions (Bearer, 16 conns)',
    `${k(rh100.rps)} req/s, p50 ${f2(rh100.latency.p50_ms)} ms, p99 ${f2(rh100.latency.p99_ms)} ms${cpu('reads-history-100')}`);
}
if (rr && skipped(rr)) row('7 reactions', 'history pages with reactions', `skipped: ${rr.skipped}`);
else if (rr) {
  const errs = rr.errors.status + rr.errors.timeout + rr.errors.connect + rr.errors.read;
  row('7 reactions', 'GET /api/rooms/{id}/messages?limit=50, 100 rooms, every message with reactions (Bearer, 16 conns)',
    `${k(rr.rps)} req/s, p50 ${f2(rr.latency.p50_ms)} ms, p99 ${f2(rr.latency.p99_ms)} ms${errs ? `, ${errs} errors` : ''}` +
      (plain ? ` (${f2(rr.rps / plain.rps)} × plain)` : ''),
    plain ? '≥ 0.9 × plain history reads' : undefined, plain ? rr.rps >= 0.9 * plain.rps && !errs : undefined);
}
const rp = raw['reactions-put'];
if (rp && !skipped(rp)) {
  const errs = rp.errors.status + rp.errors.timeout + rp.errors.connect + rp.errors.read;
  row('7 reactions', 'PUT /api/messages/{id}/reactions/{emoji}/me (16 conns)',
    `${k(rp.rps)} req/s, p50 ${f2(rp.latency.p50_ms)} ms, p99 ${f2(rp.latency.p99_ms)} ms${errs ? `, ${errs} errors` : ''}`);
}

// 8. mentions (issue 13): posts with an @mention against plain posts, the inbox
const pp = raw['posts-plain'];
const mp = raw['mentions-post'];
const errsOf = (r) => r.errors.status + r.errors.timeout + r.errors.connect + r.errors.read;
if (pp && !skipped(pp)) {
  row('8 mentions', 'POST /api/rooms/{id}/messages, plain text (16 conns, one poster)',
    `${k(pp.rps)} req/s, p50 ${f2(pp.latency.p50_ms)} ms, p99 ${f2(pp.latency.p99_ms)} ms${errsOf(pp) ? `, ${errsOf(pp)} errors` : ''}`);
}
if (mp && !skipped(mp)) {
  row('8 mentions', 'POST /api/rooms/{id}/messages with an @mention (16 conns, one poster)',
    `${k(mp.rps)} req/s, p50 ${f2(mp.latency.p50_ms)} ms, p99 ${f2(mp.latency.p99_ms)} ms${errsOf(mp) ? `, ${errsOf(mp)} errors` : ''}`,
    pp ? '≥ 0.5 × plain posts (a transaction of a few statements instead of one)' : undefined,
    pp ? mp.rps >= 0.5 * pp.rps && !errsOf(mp) : undefined);
}
const mi = raw['mentions-inbox'];
if (mi && !skipped(mi)) {
  row('8 mentions', 'GET /api/users/me/mentions?limit=50 (4 conns)',
    `p50 ${f2(mi.latency.p50_ms)} ms, p99 ${f2(mi.latency.p99_ms)} ms, ${k(mi.rps)} req/s${errsOf(mi) ? `, ${errsOf(mi)} errors` : ''}`,
    'p99 ≤ 50 ms', mi.latency.p99_ms <= 50 && !errsOf(mi));
}

// 5. search
for (const kind of ['messages', 'groups']) {
  const s = raw[`search-${kind}`];
  if (!s) continue;
  if (skipped(s)) { row('5 search', `GET /api/search/${kind}`, `not measured: ${s.skipped}`, 'p99 ≤ 50 ms', null); continue; }
  const errs = s.errors.status + s.errors.timeout;
  row('5 search', `GET /api/search/${kind}?q=<word> (4 conns${kind === 'messages' ? ', 1 M messages' : ', 10 k groups'})`,
    `p50 ${f2(s.latency.p50_ms)} ms, p99 ${f2(s.latency.p99_ms)} ms, ${k(s.rps)} req/s${errs ? `, ${errs} errors` : ''}`,
    'p99 ≤ 50 ms', s.latency.p99_ms <= 50 && !errs);
}

// 1. idle
for (const [label, o] of Object.entries(raw)) {
  if (!label.startsWith('idle-')) continue;
  if (skipped(o)) { row('1 idle', label, `skipped: ${o.skipped}`); continue; }
  const failed = Object.values(o.failed).reduce((a, b) => a + b, 0);
  row('1 idle', `${o.connections} connections over ${o.relays} relay(s)`,
    `${o.ready} ready, ${failed} failed, ${o.closed_by_server} closed; ${k(o.connect_rate)} conn/s; handshake p99 ${f1(o.handshake.p99_ms)} ms`,
    o.connections >= 100000 ? '100 k held' : '', o.connections >= 100000 ? o.ready >= 100000 : null);
  // Settled: RSS after the 12 s hold (the relays trim every 5 s), per
  // ready connection; the figure right after the burst (+1.5 s) still
  // holds its handshakes' follow-up work and is shown beside it.
  const settled = o.ready > 0 && o.relay_rss_kb_after_hold > 0
    ? (o.relay_rss_kb_after_hold - o.relay_rss_kb_before) * 1024 / o.ready : o.relay_bytes_per_conn;
  row('1 idle', `relay RSS per connection (${o.connections}), settled`,
    `${Math.round(settled)} B (${Math.round(o.relay_bytes_per_conn)} B right after connecting)`,
    '≤ 1536 B', settled <= 1536);
}

// 2. fan-out
// Relay 0's frames per send() over a run (run.sh fanout_run), and how many
// write rounds adaptive coalescing held (relay/PROTOCOL.md, Delivery).
const sends = (w) => (w && w.writes > 0
  ? `; ${f1(w.frames / w.writes)} frames per send() (${w.held_rounds} write rounds held)` : '');
let bestSustained = null;
for (const [label, o] of Object.entries(raw)) {
  if (!label.startsWith('fanout-') || label.endsWith('-writes')) continue;
  if (skipped(o)) { row('2 fan-out', label, `skipped: ${o.skipped}`); continue; }
  const d = o.deliveries;
  const ok = d.percent >= 99.9 && d.latency.p99_ms <= 100;
  const conns = o.ready;
  const how = label.startsWith('fanout-1k-relay-') ? 'published straight to Redis' : 'posted';
  const desc = `${label}: ${conns} members connected, ${f1(o.post.rate)} msg/s ${how}`;
  row('2 fan-out', desc,
    `${k(d.per_second)} deliveries/s (offered ${k(d.offered_per_second)}), ${d.percent.toFixed(3)} % delivered, p50 ${f2(d.latency.p50_ms)} ms, p99 ${f2(d.latency.p99_ms)} ms, max ${f1(d.latency.max_ms)} ms; relay ${f1(o.relay_cpu_pct)} % CPU, ${f2(o.relay_us_per_delivery)} µs/delivery; ${o.closed_by_server} culled${sends(raw[`${label}-writes`])}`);
  if (ok && (!bestSustained || d.per_second > bestSustained.rate)) bestSustained = { label, rate: d.per_second };
  if (label === 'fanout-1k-e2e-500' || label === 'fanout-1k-e2e-100conn-500') {
    row('2 fan-out', `${label}: end-to-end POST→receipt`, `p50 ${f2(d.latency.p50_ms)} ms, p99 ${f2(d.latency.p99_ms)} ms`,
      'p50 ≤ 2 ms, p99 ≤ 10 ms', d.latency.p50_ms <= 2 && d.latency.p99_ms <= 10 && d.percent >= 99.9);
  }
  if (/^fanout-(1k|5k)-\d+$/.test(label)) {
    row('2 fan-out', `${label}: relay CPU per delivery`, `${f2(o.relay_us_per_delivery)} µs`, '≤ 5 µs', o.relay_us_per_delivery <= 5 && d.percent >= 99.9);
  }
}
if (Object.keys(raw).some((l) => l.startsWith('fanout-'))) {
  row('2 fan-out', 'best sustained fan-out (≥ 99.9 % delivered, p99 ≤ 100 ms)',
    bestSustained ? `${k(bestSustained.rate)} deliveries/s (${bestSustained.label})` : 'none of the runs',
    '≥ 300 k/s', !!bestSustained && bestSustained.rate >= 300000);
}

// 4. writes
for (const label of ['writes-1room', 'writes-64rooms']) {
  const o = raw[label];
  if (!o) continue;
  if (skipped(o)) { row('4 writes', label, `skipped: ${o.skipped}`); continue; }
  const p = o.post;
  const d = o.deliveries;
  row('4 writes', `${label}: 64 clients, POST /api/rooms/{id}/messages, 1 listener`,
    `${k(p.rate)} msg/s (${p.ok} ok, ${p.failed + p.other_status} failed), POST p50 ${f2(p.round_trip.p50_ms)} ms, p99 ${f2(p.round_trip.p99_ms)} ms; delivered ${d.received}/${d.expected} (${d.percent.toFixed(2)} %)`,
    '≥ 5 k msg/s, all delivered', p.rate >= 5000 && d.received >= d.expected);
}

const result = {
  date: new Date().toISOString(),
  mode: args.mode,
  duration_s: Number(args.seconds),
  machine,
  setup: {
    relay_processes: Number(args.relays),
    users: Number(args.users),
    messages: Number(args.messages),
    config: args.config,
    note: 'Everything on loopback on the same machine as the load tools; wsload connects straight to the relay ports (RELAY_URLS), HTTP goes through lighttpd.',
  },
  rows,
  raw,
};
writeFileSync(`${args.out}.json`, JSON.stringify(result, null, 2) + '\n');

const esc = (s) => String(s).replace(/\|/g, '\\|');
let md = `# Easy Chat benchmark results (${args.mode})\n\n`;
md += `${result.date}, ${args.seconds} s, commit ${machine.commit}. Reproduce with \`make bench\` (quick) or \`make bench FULL=1\`.\n\n`;
md += `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.ram_gb} GB RAM, ${machine.kernel}, open files ${machine.nofile_limit}/process; load average (1/5/15 min) at start / end: ${machine.loadavg_start_end} — the machine is shared, so figures taken under load are lower bounds.\n`;
md += `Versions: ${Object.entries(machine.versions).map(([a, b]) => `${a} ${b || '?'}`).join('; ')}.\n\n`;
md += `Setup: ${result.setup.relay_processes} relay process(es), ${result.setup.users} users, ${result.setup.messages} messages; ${esc(result.setup.config)}. ${result.setup.note}\n\n`;
md += '| scenario | measurement | result | target | |\n|---|---|---|---|---|\n';
for (const r of rows) md += `| ${esc(r.scenario)} | ${esc(r.figure)} | ${esc(r.value)} | ${esc(r.target)} | ${verdict(r.met)} |\n`;
writeFileSync(`${args.out}.md`, md);

// stdout table
const w = [10, 62, 0];
console.log(`\nEasy Chat benchmarks (${args.mode}) on ${machine.cpu}, ${machine.cores} cores, ${machine.ram_gb} GB, ${machine.kernel}`);
for (const r of rows) {
  const tail = r.target ? `  [target ${r.target}: ${verdict(r.met) || 'n/a'}]` : '';
  console.log(`${r.scenario.padEnd(w[0])} ${r.figure.padEnd(w[1])} ${r.value}${tail}`);
}
console.log(`\nwritten: ${args.out}.json, ${args.out}.md`);
