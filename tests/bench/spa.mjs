// spa.mjs - issue 16 item 6 for tests/bench/run.sh: the SPA's first screen
// and a room switch in Debian's Chromium against the bench stack, as a
// seeded member of 50 groups (a minted access token as the session
// cookie): a cold load of a room (new context, empty cache) to its first
// message on loopback and under DevTools' "Fast 3G" profile (medians),
// and a switch to another room of the group by clicking it in the
// sidebar, to that room's first message.  Appends one JSON object per
// figure to the raw results file.
//
// Usage: node tests/bench/spa.mjs RAW_FILE TOKEN GROUP ROOM OTHER_ROOM...
import { appendFileSync } from 'node:fs';
import { env } from '../lib/api.mjs';
import { FAST_3G, launch } from '../e2e/lib.mjs';

const [raw, token, group, room, ...others] = process.argv.slice(2);
const cookie = process.env.ACCESS_COOKIE_NAME || 'access';
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const out = (o) => appendFileSync(raw, `${JSON.stringify(o)}\n`);

/** A new context signed in by the token, with no cache. */
async function context(browser) {
  const ctx = await browser.newContext({ baseURL: env.baseUrl, viewport: { width: 1280, height: 800 } });
  const { hostname } = new URL(env.baseUrl);
  await ctx.addCookies([{ name: cookie, value: token, domain: hostname, path: '/', httpOnly: true, sameSite: 'Lax' }]);
  await ctx.addInitScript(() => {
    new MutationObserver((_, obs) => {
      if (document.querySelector('[data-testid=message]')) {
        window.__firstMessageMs = performance.now();
        obs.disconnect();
      }
    }).observe(document, { childList: true, subtree: true });
  });
  return ctx;
}

/** Navigation start to the room's first message shown (ms). */
async function coldLoad(browser, network) {
  const ctx = await context(browser);
  try {
    const page = await ctx.newPage();
    if (network) {
      const cdp = await ctx.newCDPSession(page);
      await cdp.send('Network.enable');
      await cdp.send('Network.emulateNetworkConditions', network);
    }
    await page.goto(`/g/${group}/r/${room}`);
    await page.getByTestId('message').first().waitFor({ timeout: 30000 });
    return await page.evaluate(() => window.__firstMessageMs);
  } finally {
    await ctx.close();
  }
}

/** Click on another room in the sidebar to its first message (ms), for each of `others`. */
async function switches(browser) {
  const ctx = await context(browser);
  try {
    const page = await ctx.newPage();
    await page.goto(`/g/${group}/r/${room}`);
    await page.getByTestId('message').first().waitFor({ timeout: 30000 });
    const times = [];
    for (const other of others) {
      const link = page.locator(`[data-room-id="${other}"]`).first();
      await link.waitFor({ timeout: 10000 });
      const handle = await link.elementHandle();
      const ms = await page.evaluate(({ el, id }) => new Promise((resolve) => {
        const start = performance.now();
        const sel = `[data-testid=chat-pane][data-room-id="${id}"] [data-testid=message]`;
        const obs = new MutationObserver(() => {
          if (document.querySelector(sel)) {
            obs.disconnect();
            resolve(performance.now() - start);
          }
        });
        obs.observe(document, { childList: true, subtree: true, attributes: true });
        el.click();
      }), { el: handle, id: other });
      times.push(ms);
      await page.waitForTimeout(300);
    }
    return times;
  } finally {
    await ctx.close();
  }
}

const browser = await launch();
try {
  // The first load warms lighttpd's and the kernel's caches, as a
  // deployed server's would be.
  await coldLoad(browser);
  const fast = [];
  for (let i = 0; i < 5; i++) fast.push(await coldLoad(browser));
  const slow = [];
  for (let i = 0; i < 3; i++) slow.push(await coldLoad(browser, FAST_3G));
  const sw = await switches(browser);
  const round = (a) => a.map((v) => Math.round(v));
  out({ label: 'spa-cold-fast', median_ms: Math.round(median(fast)), runs_ms: round(fast) });
  out({ label: 'spa-cold-3g', median_ms: Math.round(median(slow)), runs_ms: round(slow) });
  out({ label: 'spa-room-switch', median_ms: Math.round(median(sw)), runs_ms: round(sw) });
  console.log(`    SPA cold load to the first message: loopback median ${Math.round(median(fast))} ms (${round(fast).join(', ')}), `
    + `Fast 3G median ${Math.round(median(slow))} ms (${round(slow).join(', ')}); room switch median ${Math.round(median(sw))} ms (${round(sw).join(', ')})`);
} finally {
  await browser.close();
}
