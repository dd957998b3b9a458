// relay-sentry.test.mjs - the relay reports to Sentry (relay/report.c): a lost Redis or PostgreSQL once per outage, a fatal signal as a "fatal" event; nothing when SENTRY_DSN is unset. Against a fake Sentry on loopback.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { sleep } from '../lib/api.mjs';

async function freePort() {
  const s = net.createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

/** A fake Sentry store endpoint; reports[] fills as events arrive. */
async function fakeSentry() {
  const reports = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      reports.push({ url: req.url, auth: req.headers['x-sentry-auth'], event: JSON.parse(body) });
      res.setHeader('Content-Type', 'application/json');
      res.end('{"id":"x"}');
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { reports, server, dsn: `http://relaykey@127.0.0.1:${server.address().port}/7` };
}

/** Starts a private relay (free ports) with extra environment. */
async function relay(extra) {
  // Under TOPOLOGY=multi the relay finds Redis through the sentinels
  // (REDIS_SENTINELS, which beats REDIS_PORT): unreachable ones then.
  if (extra.REDIS_PORT === '1' && process.env.REDIS_SENTINELS) extra = { ...extra, REDIS_SENTINELS: '127.0.0.1:1' };
  // The stack's env file points the programs at Redis's unix socket
  // (REDIS_SOCKET, which beats REDIS_PORT too; an empty value would not
  // override the file): a path where no socket is.
  if (extra.REDIS_PORT === '1') extra = { ...extra, REDIS_SOCKET: '/nonexistent/redis.sock' };
  const env = { ...process.env, RELAY_INDEX: '0', RELAY_PORT: String(await freePort()),
    RELAY_METRICS_PORT: String(await freePort()), LOG_LEVEL: 'info', ...extra };
  const p = spawn(path.join(process.env.BIN_DIR, 'easychat-relay'), [], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  p.stderr.on('data', (c) => { log += c; });
  const exited = new Promise((r) => p.on('exit', (code, signal) => r({ code, signal })));
  return { p, exited, log: () => log };
}

async function until(cond, ms, what) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

test('a relay that cannot reach Redis or PostgreSQL reports each once per outage, at error level', async () => {
  const s = await fakeSentry();
  const r = await relay({ SENTRY_ENABLED: '1', SENTRY_DSN: s.dsn, REDIS_PORT: '1', DB_PORT: '1' });
  try {
    await until(() => s.reports.length >= 2, 15000, 'two reports');
    // Several reconnection attempts later, still one report each.
    await sleep(3000);
    const messages = s.reports.map((x) => x.event.message).sort();
    assert.equal(messages.length, 2, messages.join('\n'));
    assert.match(messages[0], /postgresql unreachable/);
    assert.match(messages[1], /redis unreachable/);
    for (const x of s.reports) {
      assert.equal(x.url, '/api/7/store/');
      assert.match(x.auth, /sentry_key=relaykey/);
      assert.equal(x.event.level, 'error');
      assert.equal(x.event.logger, 'relay');
    }
    assert.ok((r.log().match(/redis (sub|cmd) connection failed|redis sentinel \S+ gave no primary/g) ?? []).length >= 2,
      'it did retry');
  } finally {
    r.p.kill('SIGTERM');
    await r.exited;
    s.server.close();
  }
  assert.doesNotMatch(r.log(), /Sanitizer/);
});

test('a fatal signal is reported as a fatal event, and the relay still dies of it', async () => {
  const s = await fakeSentry();
  const r = await relay({ SENTRY_ENABLED: '1', SENTRY_DSN: s.dsn });
  try {
    await until(() => /ready/.test(r.log()), 15000, 'the relay to start');
    assert.equal(s.reports.length, 0, 'a healthy relay reports nothing');
    r.p.kill('SIGSEGV');
    const { signal } = await r.exited;
    assert.equal(signal, 'SIGSEGV', 'dies of the same signal');
    // The crash is sent before the crashing process exits.
    assert.equal(s.reports.length, 1, r.log());
    const ev = s.reports[0].event;
    assert.equal(ev.level, 'fatal');
    assert.match(ev.message, /relay \(pid \d+\) died of fatal signal 11 \(Segmentation fault\)/);
  } finally {
    s.server.close();
  }
});

test('without SENTRY_DSN nothing is sent', async () => {
  const s = await fakeSentry();
  const r = await relay({ SENTRY_ENABLED: '1', SENTRY_DSN: '', REDIS_PORT: '1' });
  try {
    await until(() => /redis (sub|cmd) connection failed|redis sentinel \S+ gave no primary/.test(r.log()), 15000, 'a Redis failure');
    await sleep(1000);
    assert.equal(s.reports.length, 0);
  } finally {
    r.p.kill('SIGTERM');
    await r.exited;
    s.server.close();
  }
});
