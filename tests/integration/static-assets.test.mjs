// static-assets.test.mjs - the SPA's files behind the front server (lighttpd or FRONT=nginx): precompressed br/gzip, Vary, types, caching, CSP.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { env, REPO } from '../lib/api.mjs';

const DIST = path.join(REPO, 'htdocs/dist');
const IMMUTABLE = 'public, max-age=31536000, immutable';

/** GET urlPath with exactly these headers; the body as a Buffer, never decoded. */
function get(urlPath, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(new URL(urlPath, env.baseUrl), { headers, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.setTimeout(10000, () => req.destroy(new Error(`timeout ${urlPath}`)));
    req.end();
  });
}

/** The script and stylesheet that index.html loads (/assets/NAME-HASH.ext). */
async function entryAssets() {
  const index = await get('/');
  assert.equal(index.status, 200, 'the SPA is built (make spa)');
  const html = index.body.toString('utf8');
  const js = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
  const css = /href="(\/assets\/[^"]+\.css)"/.exec(html)?.[1];
  assert.ok(js && css, `index.html names its script and stylesheet: ${html}`);
  return [[js, /^text\/javascript/], [css, /^text\/css/]];
}

/** Every script and stylesheet of the build, lazy chunks included. */
function allAssets() {
  return fs.readdirSync(path.join(DIST, 'assets')).filter((f) => /\.(js|css)$/.test(f))
    .map((f) => [`/assets/${f}`, f.endsWith('.js') ? /^text\/javascript/ : /^text\/css/]);
}

function varies(res) {
  return (res.headers.vary || '').split(',').map((v) => v.trim().toLowerCase()).includes('accept-encoding');
}

test('make spa wrote a .br and a .gz beside every script and stylesheet', () => {
  const files = fs.readdirSync(path.join(DIST, 'assets')).filter((f) => /\.(js|css)$/.test(f));
  assert.ok(files.length >= 2, files.join(' '));
  for (const f of files) {
    const plain = fs.readFileSync(path.join(DIST, 'assets', f));
    assert.deepEqual(zlib.brotliDecompressSync(fs.readFileSync(path.join(DIST, 'assets', `${f}.br`))), plain, f);
    assert.deepEqual(zlib.gunzipSync(fs.readFileSync(path.join(DIST, 'assets', `${f}.gz`))), plain, f);
  }
});

test('hashed assets, every chunk: br when accepted, else gzip, else as is; one long Cache-Control and Vary on each', async () => {
  const assets = allAssets();
  const entry = (await entryAssets()).map(([u]) => u);
  assert.ok(entry.every((u) => assets.some(([a]) => a === u)), `${entry} among ${assets.map(([a]) => a)}`);
  for (const [url, type] of assets) {
    const plain = fs.readFileSync(path.join(DIST, url));
    const cases = [
      ['gzip, deflate, br', 'br', (b) => zlib.brotliDecompressSync(b)],
      ['br', 'br', (b) => zlib.brotliDecompressSync(b)],
      ['gzip', 'gzip', (b) => zlib.gunzipSync(b)],
      ['identity', undefined, (b) => b],
      [undefined, undefined, (b) => b],
    ];
    for (const [ae, encoding, decode] of cases) {
      const res = await get(url, ae === undefined ? {} : { 'Accept-Encoding': ae });
      const what = `${url} with Accept-Encoding ${ae}`;
      assert.equal(res.status, 200, what);
      assert.equal(res.headers['content-encoding'], encoding, what);
      assert.match(res.headers['content-type'] || '', type, what);
      assert.equal(res.headers['cache-control'], IMMUTABLE, what);
      assert.ok(varies(res), `${what}: Vary ${res.headers.vary}`);
      assert.deepEqual(decode(res.body), plain, what);
      // (A few dozen bytes do not shrink by half: a coding's own overhead.)
      if (encoding && plain.length > 4096) assert.ok(res.body.length < plain.length / 2, `${what}: ${res.body.length} of ${plain.length} bytes`);
    }
  }
});

test('a coding refused with q=0 is not sent', async () => {
  const [[url]] = await entryAssets();
  const res = await get(url, { 'Accept-Encoding': 'br;q=0, gzip' });
  assert.equal(res.headers['content-encoding'], 'gzip');
  const none = await get(url, { 'Accept-Encoding': 'br;q=0, gzip;q=0' });
  assert.equal(none.headers['content-encoding'], undefined);
  assert.deepEqual(none.body, fs.readFileSync(path.join(DIST, url)));
});

test('index.html is revalidated every time; a missing asset is not cached for a year', async () => {
  for (const p of ['/', '/index.html', '/g/1/r/2']) {
    const res = await get(p, { 'Accept-Encoding': 'gzip, br' });
    assert.equal(res.status, 200, p);
    assert.equal(res.headers['cache-control'], 'no-cache', p);
    assert.match(res.headers['content-type'] || '', /^text\/html/, p);
    // Sent compressed or not, a cache must not hand one client's form to another.
    if (res.headers['content-encoding']) assert.ok(varies(res), `${p}: Vary ${res.headers.vary}`);
  }
  const missing = await get('/assets/missing-00000000.js', { 'Accept-Encoding': 'br' });
  assert.equal(missing.status, 404);
  assert.doesNotMatch(missing.headers['cache-control'] || '', /max-age|immutable/);
  assert.equal(missing.headers['content-encoding'], undefined);
});

test("index.html's inline script (the first screen's early requests) is allowed by the CSP, by its hash", async () => {
  for (const p of ['/', '/g/1/r/2']) {
    const res = await get(p);
    const html = res.body.toString('utf8');
    const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]);
    assert.equal(scripts.length, 1, html);
    const hash = `'sha256-${crypto.createHash('sha256').update(scripts[0], 'utf8').digest('base64')}'`;
    const csp = res.headers['content-security-policy'] || '';
    const scriptSrc = /(?:^|;)\s*script-src ([^;]*)/.exec(csp)?.[1].trim().split(/\s+/);
    assert.deepEqual(scriptSrc, ["'self'", hash], `${p}: ${csp}`);
  }
});
