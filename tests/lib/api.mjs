// api.mjs - HTTP client for the integration tests: cookie jar, Origin,
// Bearer tokens, JSON helpers, and access to the stack (stack.env).
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function need(name) {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run the tests through tests/run.sh`);
  return v;
}

export const env = {
  get baseUrl() { return need('BASE_URL'); },
  get origin() { return need('ORIGIN'); },
  get wsUrl() { return need('WS_URL'); },
  get varDir() { return need('EASYCHAT_VAR'); },
};

/** A unique, valid username/group name with the given prefix. */
export function unique(prefix = 'user') {
  return `${prefix}_${randomBytes(5).toString('hex')}`.slice(0, 40);
}

export const PASSWORD = 'correct horse battery';

/** Runs conf/stack.sh <cmd> <vardir> [args...] synchronously. */
export function stack(cmd, ...args) {
  return execFileSync(path.join(REPO, 'conf/stack.sh'), [cmd, env.varDir, ...args.map(String)],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 120000 });
}

/**
 * Low-level request. opts: { method, headers, body (string|Buffer), json }.
 * Resolves to { status, headers, text, json, cookies } and never throws on
 * HTTP errors.
 */
export function raw(urlPath, opts = {}) {
  const url = new URL(urlPath, env.baseUrl);
  const headers = { ...(opts.headers || {}) };
  let body = opts.body;
  if (opts.json !== undefined) {
    body = JSON.stringify(opts.json);
    if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
      headers['Content-Type'] = 'application/json';
    }
  }
  if (body !== undefined) headers['Content-Length'] = Buffer.byteLength(body);
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: opts.method || 'GET', headers, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json;
        try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
        resolve({ status: res.statusCode, headers: res.headers, text, json,
          setCookies: res.headers['set-cookie'] || [] });
      });
    });
    req.on('error', reject);
    req.setTimeout(opts.timeout || 30000, () => req.destroy(new Error(`timeout ${urlPath}`)));
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/** Parses Set-Cookie headers into { name: {value, attrs} }. */
export function parseSetCookies(list) {
  const out = {};
  for (const line of list) {
    const [pair, ...attrs] = line.split(';').map((s) => s.trim());
    const eq = pair.indexOf('=');
    const a = {};
    for (const at of attrs) {
      const i = at.indexOf('=');
      a[(i < 0 ? at : at.slice(0, i)).toLowerCase()] = i < 0 ? true : at.slice(i + 1);
    }
    out[pair.slice(0, eq)] = { value: pair.slice(eq + 1), attrs: a };
  }
  return out;
}

/**
 * A client as a browser (cookie jar, Origin on every request) or as an API
 * client (bearer token, no cookies).
 */
export class Client {
  constructor({ origin, bearer } = {}) {
    this.cookies = new Map();
    this.origin = origin === undefined ? env.origin : origin; // null = none
    this.bearer = bearer || null;
    this.user = null;
  }

  cookieHeader() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async req(method, urlPath, json, extra = {}) {
    const headers = { ...(extra.headers || {}) };
    if (this.origin && !('Origin' in headers)) headers.Origin = this.origin;
    if (this.bearer) headers.Authorization = `Bearer ${this.bearer}`;
    else if (this.cookies.size && !('Cookie' in headers)) headers.Cookie = this.cookieHeader();
    const res = await raw(urlPath, { method, headers, json, body: extra.body });
    for (const [name, c] of Object.entries(parseSetCookies(res.setCookies))) {
      if (c.attrs['max-age'] === '0' || c.value === '') this.cookies.delete(name);
      else this.cookies.set(name, c.value);
    }
    return res;
  }

  get(p, extra) { return this.req('GET', p, undefined, extra); }
  post(p, json, extra) { return this.req('POST', p, json, extra); }
  put(p, json, extra) { return this.req('PUT', p, json, extra); }
  patch(p, json, extra) { return this.req('PATCH', p, json, extra); }
  del(p, json, extra) { return this.req('DELETE', p, json, extra); }

  /** Signs up a new user (cookies set); returns the user object. */
  async signup(username = unique(), password = PASSWORD, extra = {}) {
    const res = await this.post('/api/auth/signup', { username, password, ...extra });
    if (res.status !== 201) throw new Error(`signup ${username}: ${res.status} ${res.text}`);
    this.user = res.json.user;
    this.password = password;
    return this.user;
  }

  /** Gets bearer tokens for this client's user and switches to them. */
  async useBearer() {
    const res = await raw('/api/auth/token', { method: 'POST',
      json: { username: this.user.username, password: this.password } });
    if (res.status !== 200) throw new Error(`token: ${res.status} ${res.text}`);
    this.bearer = res.json.access;
    this.refresh = res.json.refresh;
    return res.json;
  }
}

/** A new signed-up browser-like client. */
export async function newUser(opts = {}) {
  const c = new Client(opts);
  await c.signup(opts.username);
  return c;
}

/** Asserts the error body (common/openapi.yaml) and status. */
export function assertError(assert, res, status, code) {
  assert.equal(res.status, status, `expected ${status}, got ${res.status}: ${res.text}`);
  assert.ok(res.json && res.json.error, `error body expected: ${res.text}`);
  assert.equal(typeof res.json.error.message, 'string');
  if (code) assert.equal(res.json.error.code, code, res.text);
  assert.match(res.headers['content-type'] || '', /^application\/json/);
  assert.ok(res.headers['x-request-id'], 'X-Request-Id expected');
}

export function sleep(ms) { return new Promise((r) => setTimeout(r, ms)); }
