// lib.mjs - shared helpers for the browser tests (tests/e2e/*.test.mjs):
// Debian's Chromium through playwright-core, one browser context per user,
// sign-up through the UI or the API, console/CSP error collection, polling
// and screenshots (tests/artifacts/screenshots/, git-ignored).
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { env, PASSWORD, REPO, unique } from '../lib/api.mjs';

export const SHOTS = path.join(REPO, 'tests/artifacts/screenshots');
export const VIEWPORT = { width: 1280, height: 800 };
/** The phone size the layout is tested at (a common 6.1" phone, in CSS px). */
export const PHONE = { width: 390, height: 844 };
/** Default timeout of every wait in these tests (ms). */
export const WAIT = 10000;

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--no-first-run'];

// DevTools' "Fast 3G" preset (the Lighthouse mobile throttling values):
// 562.5 ms request latency (150 ms RTT x 3.75), 1.6 Mbit/s down and
// 750 kbit/s up, each x 0.9, in bytes per second (for CDP's
// Network.emulateNetworkConditions; load.test.mjs, tests/bench/spa.mjs).
export const FAST_3G = { offline: false, latency: 562.5, downloadThroughput: (1.6 * 1000 * 1000 / 8) * 0.9,
  uploadThroughput: (750 * 1000 / 8) * 0.9 };

/** Starts headless Chromium (never downloads a browser). */
export function launch() {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
}

// Console errors that are expected in these scenarios: the relay is killed
// on purpose, and a signed-out page asks /api/auth/me and gets 401.
const BENIGN = [
  /WebSocket connection to .* failed/i,
  /Failed to load resource: the server responded with a status of 401/i,
  /Failed to load resource: net::ERR_CONNECTION_REFUSED/i,
];

/**
 * A user's browser context and page at 1280x800 (opts.phone: at PHONE
 * size, with touch, as a phone's browser). Collects uncaught
 * exceptions, console errors and CSP violations (a securitypolicyviolation
 * listener installed before any script runs) in s.errors.
 */
export async function openUser(browser, label, opts = {}) {
  const context = await browser.newContext({ baseURL: env.baseUrl,
    ...(opts.phone ? { viewport: PHONE, isMobile: true, hasTouch: true } : { viewport: VIEWPORT }) });
  context.setDefaultTimeout(WAIT);
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || 'inline'} ` +
        `(${e.sourceFile || ''}:${e.lineNumber || ''})`);
    });
  });
  const s = { label, context, page: null, errors: [], user: null, pages: [], phone: Boolean(opts.phone) };
  s.page = await newPage(s);
  return s;
}

/** Another tab in the user's context, with the same error collection. */
export async function newPage(s) {
  const page = await s.context.newPage();
  page.on('pageerror', (err) => s.errors.push(`[${s.label}] uncaught: ${err.stack || err.message}`));
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    // A failed load names its URL (Chromium's text does not).
    const url = /^Failed to load resource/.test(msg.text()) ? msg.location()?.url : '';
    const text = url ? `${msg.text()} ${url}` : msg.text();
    if (BENIGN.some((re) => re.test(text))) return;
    s.errors.push(`[${s.label}] console.error: ${text}`);
  });
  s.pages.push(page);
  return page;
}

/** Fails (assert) when any collected session has errors. */
export function assertNoErrors(assert, ...sessions) {
  const all = sessions.flatMap((s) => s.errors);
  // reported once: the next test of the file starts clean
  for (const s of sessions) s.errors = [];
  assert.deepEqual(all, [], `browser errors:\n${all.join('\n')}`);
}

/** Signs up through /signup; resolves once the app shell shows. */
export async function signupUI(s, username = unique('e2e')) {
  const { page } = s;
  await page.goto('/signup');
  const form = page.getByTestId('signup-form');
  await form.getByLabel('Username', { exact: true }).fill(username);
  await form.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await form.getByLabel('Repeat the password').fill(PASSWORD);
  await page.getByTestId('signup-submit').click();
  // Signed in: the account menu is there (in the closed drawer on a phone).
  await page.getByTestId('user-menu-button').waitFor(s.phone ? { state: 'attached' } : {});
  s.user = await apiJson(s, 'GET', '/api/auth/me').then((r) => r.user);
  return s.user;
}

/**
 * Signs up through the API in the context's own cookie jar (a quick setup
 * for tests that are not about signing up).
 */
export async function signupApi(s, username = unique('e2e')) {
  const res = await s.context.request.post('/api/auth/signup', {
    data: { username, password: PASSWORD }, headers: { Origin: env.origin } });
  if (res.status() !== 201) throw new Error(`signup ${username}: ${res.status()} ${await res.text()}`);
  s.user = (await res.json()).user;
  return s.user;
}

/** A JSON request with the context's cookies (and Origin); returns the body. */
export async function apiJson(s, method, urlPath, data) {
  const res = await s.context.request.fetch(urlPath, {
    method, data, headers: { Origin: env.origin } });
  const text = await res.text();
  if (res.status() >= 300) throw new Error(`${method} ${urlPath}: ${res.status()} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/** Screenshot of the viewport into tests/artifacts/screenshots/NAME.png. */
export async function shot(page, name) {
  fs.mkdirSync(SHOTS, { recursive: true });
  const file = path.join(SHOTS, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

/**
 * Retries fn (which may throw, e.g. a failed assert) until it returns
 * without throwing; rethrows its last error after `timeout` ms.
 */
export async function poll(fn, { timeout = WAIT, interval = 100 } = {}) {
  const end = Date.now() + timeout;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() > end) throw err;
    }
    await new Promise((r) => setTimeout(r, interval));
  }
}

/** The data-message-id values of the messages in the page's chat pane. */
export function messageIds(page) {
  return page.getByTestId('message').evaluateAll((els) => els.map((e) => Number(e.dataset.messageId)));
}

/** Types `text` into the composer and sends it with Enter. */
export async function sendMessage(page, text) {
  const box = page.getByTestId('composer');
  await box.fill(text);
  await box.press('Enter');
}

/** The message element whose text is exactly `text`. */
export function messageByText(page, text) {
  return page.getByTestId('message').filter({
    has: page.getByTestId('message-text').getByText(text, { exact: true }) });
}

/** Closes every context; call from after(). */
export async function closeAll(browser, ...sessions) {
  for (const s of sessions) if (s) await s.context.close().catch(() => {});
  if (browser) await browser.close().catch(() => {});
}
