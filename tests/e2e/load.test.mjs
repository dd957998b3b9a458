// load.test.mjs - a cold load of a room (new browser context, empty cache): what the first screen asks the server
// (each of /api/groups and /api/groups/{id} once), and how long until the first message shows, on this machine's
// loopback and under Chrome DevTools' "Fast 3G" profile. The times are PRINTED, never asserted (they depend on the
// machine); the request counts are asserted, and that index.html's inline script sends the first screen's API
// requests while the bundle is still downloading (allowed by the front's CSP, so no violation is logged).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { env, unique } from '../lib/api.mjs';
import { closeDb } from '../lib/db.mjs';
import { apiJson, closeAll, FAST_3G, launch, openUser, signupApi } from './lib.mjs';

describe('cold load of a room', () => {
  let browser;
  let s;
  let state;
  const room = {};

  before(async () => {
    browser = await launch();
    s = await openUser(browser, 'loader');
    await signupApi(s, unique('loader'));
    const g = await apiJson(s, 'POST', '/api/groups', { name: `Load ${unique('').slice(1, 7)}` });
    room.group = g.id;
    room.id = g.topics[0].rooms[0].id;
    for (let i = 0; i < 30; i++) await apiJson(s, 'POST', `/api/rooms/${room.id}/messages`, { text: `message ${i}` });
    state = await s.context.storageState();
  });

  after(async () => {
    await closeAll(browser, s);
    await closeDb();
  });

  /**
   * Opens the room in a new context with the session's cookies and no
   * cache; resolves to { ms: navigation start to the first message shown,
   * requests: ['GET /api/...'] of the first `settle` ms after that,
   * bundleEnd: when the entry script finished downloading, apiStarts:
   * { '/api/...': when it was sent } (ms since navigation start),
   * cspErrors: console errors about the Content-Security-Policy }.
   */
  async function coldLoad({ network, settle = 0 } = {}) {
    const context = await browser.newContext({ baseURL: env.baseUrl, storageState: state, viewport: { width: 1280, height: 800 } });
    try {
      const page = await context.newPage();
      // Time the first message from the page itself (no polling delay).
      await page.addInitScript(() => {
        new MutationObserver((_, obs) => {
          if (document.querySelector('[data-testid=message]')) {
            window.__firstMessageMs = performance.now();
            obs.disconnect();
          }
        }).observe(document, { childList: true, subtree: true });
      });
      if (network) {
        const cdp = await context.newCDPSession(page);
        await cdp.send('Network.enable');
        await cdp.send('Network.emulateNetworkConditions', network);
      }
      const requests = [];
      const cspErrors = [];
      page.on('console', (m) => {
        if (m.type() === 'error' && /Content.Security.Policy/i.test(m.text())) cspErrors.push(m.text());
      });
      page.on('request', (r) => {
        const u = new URL(r.url());
        if (u.pathname.startsWith('/api/')) requests.push(`${r.method()} ${u.pathname}${u.search}`);
      });
      await page.goto(`/g/${room.group}/r/${room.id}`);
      await page.getByTestId('message').first().waitFor({ timeout: 30000 });
      const { ms, bundleEnd, apiStarts, apiEnds } = await page.evaluate(() => {
        const entries = performance.getEntriesByType('resource');
        const bundle = entries.find((e) => /\/assets\/index-[^/]+\.js$/.test(new URL(e.name).pathname));
        const starts = {};
        const ends = {};
        for (const e of entries) {
          const u = new URL(e.name);
          if (u.pathname.startsWith('/api/') && !(u.pathname + u.search in starts)) {
            starts[u.pathname + u.search] = e.startTime;
            ends[u.pathname + u.search] = e.responseEnd;
          }
        }
        return { ms: window.__firstMessageMs, bundleEnd: bundle ? bundle.responseEnd : null, apiStarts: starts, apiEnds: ends };
      });
      // Let the socket come up and whatever it triggers run.
      if (settle) await page.waitForTimeout(settle);
      return { ms, requests, bundleEnd, apiStarts, apiEnds, cspErrors };
    } finally {
      await context.close();
    }
  }

  test('the first screen fetches the group list and the group once each', async () => {
    const { requests, cspErrors } = await coldLoad({ settle: 2500 });
    assert.deepEqual(cspErrors, []);
    const count = (re) => requests.filter((r) => re.test(r)).length;
    assert.equal(count(/^GET \/api\/groups(\?|$)/), 1, requests.join('\n'));
    assert.equal(count(new RegExp(`^GET /api/groups/${room.group}$`)), 1, requests.join('\n'));
    // The newest page once (a catch-up `after=` once the socket is up is by id, and cheap).
    assert.equal(count(new RegExp(`^GET /api/rooms/${room.id}/messages(?!.*after=)`)), 1, requests.join('\n'));
  });

  test('time to the first message, fast and under Fast 3G (printed)', async () => {
    const fast = [];
    for (let i = 0; i < 5; i++) fast.push((await coldLoad()).ms);
    const slow = [];
    const paths = [];
    for (let i = 0; i < 3; i++) {
      const load = await coldLoad({ network: FAST_3G });
      slow.push(load.ms);
      // The first screen's requests leave before the bundle has arrived
      // (index.html's inline script), not after it has run.
      const first = ['/api/auth/session', '/api/groups?limit=100', `/api/groups/${room.group}`,
        `/api/rooms/${room.id}/messages?limit=50`];
      assert.ok(load.bundleEnd > 0, 'the entry script is in the resource timings');
      for (const url of first) {
        assert.ok(load.apiStarts[url] !== undefined, `${url} was requested: ${JSON.stringify(load.apiStarts)}`);
        assert.ok(load.apiStarts[url] < load.bundleEnd,
          `${url} sent at ${Math.round(load.apiStarts[url])} ms, the bundle arrived at ${Math.round(load.bundleEnd)} ms`);
      }
      // The network's part of the critical path (the rest is the machine
      // parsing and running the bundle and rendering).
      paths.push(`bundle in at ${Math.round(load.bundleEnd)} ms, the four answers at `
        + `${Math.round(Math.max(...first.map((u) => load.apiEnds[u])))} ms, first message at ${Math.round(load.ms)} ms`);
    }
    const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
    const fmt = (a) => a.map((v) => Math.round(v)).join(', ');
    console.log(`cold load to the first message, loopback: median ${Math.round(median(fast))} ms (${fmt(fast)})`);
    console.log(`cold load to the first message, Fast 3G (562.5 ms latency, 1.44 Mbit/s down, 675 kbit/s up): `
      + `median ${Math.round(median(slow))} ms (${fmt(slow)}); ${paths.join('; ')}`);
    assert.ok(fast.every((v) => v > 0) && slow.every((v) => v > 0));
  });
});
