// load.test.mjs - a cold load of a room (new browser context, empty cache): what the first screen asks the server
// (each of /api/groups and /api/groups/{id} once), and how long until the first message shows, on this machine's
// loopback and under Chrome DevTools' "Fast 3G" profile. The times are PRINTED, never asserted (they depend on the
// machine); the request counts are asserted.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { env, unique } from '../lib/api.mjs';
import { closeDb } from '../lib/db.mjs';
import { apiJson, closeAll, launch, openUser, signupApi } from './lib.mjs';

// DevTools' "Fast 3G" preset (the Lighthouse mobile throttling values):
// 562.5 ms request latency (150 ms RTT x 3.75), 1.6 Mbit/s down and
// 750 kbit/s up, each x 0.9, in bytes per second.
const FAST_3G = { offline: false, latency: 562.5, downloadThroughput: (1.6 * 1000 * 1000 / 8) * 0.9,
  uploadThroughput: (750 * 1000 / 8) * 0.9 };

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
   * requests: ['GET /api/...'] of the first `settle` ms after that }.
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
      page.on('request', (r) => {
        const u = new URL(r.url());
        if (u.pathname.startsWith('/api/')) requests.push(`${r.method()} ${u.pathname}${u.search}`);
      });
      await page.goto(`/g/${room.group}/r/${room.id}`);
      await page.getByTestId('message').first().waitFor({ timeout: 30000 });
      const ms = await page.evaluate(() => window.__firstMessageMs);
      // Let the socket come up and whatever it triggers run.
      if (settle) await page.waitForTimeout(settle);
      return { ms, requests };
    } finally {
      await context.close();
    }
  }

  test('the first screen fetches the group list and the group once each', async () => {
    const { requests } = await coldLoad({ settle: 2500 });
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
    for (let i = 0; i < 2; i++) slow.push((await coldLoad({ network: FAST_3G })).ms);
    const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
    const fmt = (a) => a.map((v) => Math.round(v)).join(', ');
    console.log(`cold load to the first message, loopback: median ${Math.round(median(fast))} ms (${fmt(fast)})`);
    console.log(`cold load to the first message, Fast 3G (562.5 ms latency, 1.44 Mbit/s down, 675 kbit/s up): `
      + `median ${Math.round(median(slow))} ms (${fmt(slow)})`);
    assert.ok(fast.every((v) => v > 0) && slow.every((v) => v > 0));
  });
});
