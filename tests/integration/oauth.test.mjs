// oauth.test.mjs - OAuth sign-in (GitHub flavour) against a fake provider
// on loopback. The auth program runs here as plain CGI (the same binary
// lighttpd runs as FastCGI), with OAuth switched on and the provider URLs
// pointed at the fake; the session it creates is then used through
// lighttpd.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { raw, parseSetCookies, newUser, REPO } from '../lib/api.mjs';
import { sql, closeDb } from '../lib/db.mjs';

let fake;
let fakeUrl;
const seen = [];
// Provider ids and logins unique per run, so the suite can run twice on
// one database.
const RUN = Math.floor(Math.random() * 1e9);
const LOGIN = `octo-${RUN.toString(36)}`;
let nextUser;

before(async () => {
  fake = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      seen.push({ method: req.method, url: req.url, body, headers: req.headers });
      res.setHeader('Content-Type', 'application/json');
      if (req.url === '/token' && req.method === 'POST') {
        const form = new URLSearchParams(body);
        if (form.get('code') !== 'good-code' || form.get('client_secret') !== 'test-secret') {
          res.statusCode = 401;
          return res.end('{"error":"bad_verification_code"}');
        }
        return res.end('{"access_token":"provider-token","token_type":"bearer"}');
      }
      if (req.url === '/avatar.png') {
        res.setHeader('Content-Type', 'image/png');
        return res.end(fs.readFileSync(path.join(REPO, 'tests/fixtures/img-320x240.png')));
      }
      if (req.url === '/avatar.txt') return res.end('not a picture');
      if (req.url === '/user' && req.headers.authorization === 'Bearer provider-token') {
        return res.end(JSON.stringify(nextUser));
      }
      res.statusCode = 404;
      res.end('{}');
    });
  });
  await new Promise((r) => fake.listen(0, '127.0.0.1', r));
  fakeUrl = `http://127.0.0.1:${fake.address().port}`;
});

after(async () => {
  fake.close();
  await closeDb();
});

/** Runs the auth program as CGI; resolves to {status, headers, cookies,
 * body}. Asynchronous: the fake provider lives in this process. */
async function cgi(uri, { cookie, enabled = true } = {}) {
  const env = {
    ...process.env,
    REQUEST_METHOD: 'GET',
    REQUEST_URI: uri,
    REMOTE_ADDR: '127.0.0.1',
    OAUTH_ENABLED_GITHUB: enabled ? '1' : '0',
    OAUTH_ID_GITHUB: 'test-client',
    OAUTH_SECRET_GITHUB: 'test-secret',
    OAUTH_AUTHORIZE_URL_GITHUB: `${fakeUrl}/authorize`,
    OAUTH_TOKEN_URL_GITHUB: `${fakeUrl}/token`,
    OAUTH_USERINFO_URL_GITHUB: `${fakeUrl}/user`,
  };
  if (cookie) env.HTTP_COOKIE = cookie;
  const out = await new Promise((resolve) => {
    execFile(path.join(process.env.BIN_DIR, 'easychat-auth'), [], { env, encoding: 'utf8', timeout: 20000 },
      (err, stdout, stderr) => resolve({ status: err ? err.code : 0, stdout, stderr }));
  });
  assert.equal(out.status, 0, out.stderr);
  const [head, ...rest] = out.stdout.split('\r\n\r\n');
  const headers = {};
  const setCookies = [];
  for (const line of head.split('\r\n')) {
    const i = line.indexOf(':');
    const k = line.slice(0, i).toLowerCase();
    const v = line.slice(i + 1).trim();
    if (k === 'set-cookie') setCookies.push(v); else headers[k] = v;
  }
  return { status: Number(headers.status.split(' ')[0]), headers, cookies: parseSetCookies(setCookies), body: rest.join('\r\n\r\n') };
}

async function signIn(code = 'good-code') {
  const start = await cgi('/api/auth/oauth/github/start');
  assert.equal(start.status, 302);
  const loc = new URL(start.headers.location);
  assert.equal(loc.origin + loc.pathname, `${fakeUrl}/authorize`);
  assert.equal(loc.searchParams.get('client_id'), 'test-client');
  assert.equal(loc.searchParams.get('redirect_uri'), `${process.env.ORIGIN}/api/auth/oauth/github/callback`);
  const state = loc.searchParams.get('state');
  assert.match(state, /^[A-Za-z0-9_-]{20,}$/);
  assert.equal(start.cookies.oauth_state.value, state);
  assert.equal(start.cookies.oauth_state.attrs.httponly, true);
  return await cgi(`/api/auth/oauth/github/callback?code=${code}&state=${state}`, { cookie: `oauth_state=${state}` });
}

test('disabled providers answer 404 not_enabled', async () => {
  const res = await cgi('/api/auth/oauth/github/start', { enabled: false });
  assert.equal(res.status, 404);
  assert.equal(JSON.parse(res.body).error.code, 'not_enabled');
});

test('GitHub sign-in creates a user, signs in and redirects to the SPA', async () => {
  nextUser = { id: RUN, login: LOGIN, name: 'Octo Cat', email: 'octo@example.org' };
  const cb = await signIn();
  assert.equal(cb.status, 302, cb.body);
  assert.equal(cb.headers.location, '/');
  assert.ok(cb.cookies.access.value && cb.cookies.refresh.value);
  const token = seen.find((s) => s.url === '/token');
  assert.equal(new URLSearchParams(token.body).get('client_id'), 'test-client');
  const me = await raw('/api/auth/me', { headers: { Cookie: `access=${cb.cookies.access.value}` } });
  assert.equal(me.status, 200);
  assert.equal(me.json.user.username, LOGIN);
  assert.equal(me.json.user.profile.full_name, 'Octo Cat');
  // Signing in again with the same GitHub account finds the same user.
  const again = await signIn();
  const me2 = await raw('/api/auth/me', { headers: { Cookie: `access=${again.cookies.access.value}` } });
  assert.equal(me2.json.user.id, me.json.user.id);
  const links = await sql("SELECT user_id FROM oauth_accounts WHERE provider = 'github' AND subject = $1", [String(RUN)]);
  assert.equal(links.length, 1);
});

test('a taken username gets a suffix; a signed-in user gets the account linked', async () => {
  nextUser = { id: RUN + 1, login: LOGIN, name: 'Another', email: null };
  const cb = await signIn();
  const me = await raw('/api/auth/me', { headers: { Cookie: `access=${cb.cookies.access.value}` } });
  assert.match(me.json.user.username, new RegExp(`^${LOGIN}_[A-Za-z0-9_-]+$`));
  const u = await newUser();
  nextUser = { id: RUN + 2, login: 'linked-one' };
  const start = await cgi('/api/auth/oauth/github/start');
  const state = new URL(start.headers.location).searchParams.get('state');
  const linked = await cgi(`/api/auth/oauth/github/callback?code=good-code&state=${state}`,
    { cookie: `oauth_state=${state}; access=${u.cookies.get('access')}` });
  assert.equal(linked.status, 302);
  const rows = await sql("SELECT user_id FROM oauth_accounts WHERE provider = 'github' AND subject = $1", [String(RUN + 2)]);
  assert.equal(Number(rows[0].user_id), u.user.id);
});

test('a forged or replayed state, or a refused code, signs nobody in', async () => {
  const start = await cgi('/api/auth/oauth/github/start');
  const state = new URL(start.headers.location).searchParams.get('state');
  let res = await cgi(`/api/auth/oauth/github/callback?code=good-code&state=${state}`, { cookie: 'oauth_state=other' });
  assert.equal(res.status, 302);
  assert.equal(res.headers.location, '/login?oauth_error=state');
  assert.equal(res.cookies.access, undefined);
  res = await cgi(`/api/auth/oauth/github/callback?code=good-code&state=${state}`, { cookie: `oauth_state=${state}` });
  assert.equal(res.headers.location, '/');
  // The state is one-time.
  res = await cgi(`/api/auth/oauth/github/callback?code=good-code&state=${state}`, { cookie: `oauth_state=${state}` });
  assert.equal(res.headers.location, '/login?oauth_error=state');
  res = await signIn('bad-code');
  assert.equal(res.headers.location, '/login?oauth_error=provider');
  assert.equal(res.cookies.access, undefined);
});

test('a 5xx answer is reported to Sentry when enabled', async () => {
  const u = await newUser();
  const { access } = await u.useBearer();
  const reports = [];
  const sentry = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => { reports.push({ url: req.url, auth: req.headers['x-sentry-auth'], body }); res.end('{}'); });
  });
  await new Promise((r) => sentry.listen(0, '127.0.0.1', r));
  try {
    const out = await new Promise((resolve) => {
      execFile(path.join(process.env.BIN_DIR, 'easychat-auth'), [], {
        encoding: 'utf8', timeout: 20000,
        env: { ...process.env, REQUEST_METHOD: 'GET', REQUEST_URI: '/api/auth/me',
          HTTP_AUTHORIZATION: `Bearer ${access}`, HTTP_X_REQUEST_ID: 'sentry-test-1',
          DB_PORT: '1', // nothing listens: the program answers 503
          SENTRY_ENABLED: '1', SENTRY_DSN: `http://pubkey@127.0.0.1:${sentry.address().port}/42` },
      }, (err, stdout) => resolve(stdout));
    });
    assert.match(out, /^Status: 503/);
    assert.equal(reports.length, 1);
    assert.equal(reports[0].url, '/api/42/store/');
    assert.match(reports[0].auth, /sentry_key=pubkey/);
    const ev = JSON.parse(reports[0].body);
    assert.equal(ev.tags.request_id, 'sentry-test-1');
    assert.match(ev.message, /GET \/api\/auth\/me answered 503/);
    assert.ok(!reports[0].body.includes(access), 'no token in the report');
  } finally {
    sentry.close();
  }
});

// Issue 12: a new account gets the provider's picture through the upload
// pipeline (256x256 PNG, content-addressed); a picture that is not one
// leaves the account with a drawn default, and sign-in still works.
test('OAuth sign-up imports the provider avatar, or draws one', async () => {
  nextUser = { id: RUN + 50, login: `pic-${RUN.toString(36)}`, name: 'Pic', avatar_url: `${fakeUrl}/avatar.png` };
  let cb = await signIn();
  assert.equal(cb.status, 302, cb.body);
  let me = await raw('/api/auth/me', { headers: { Cookie: `access=${cb.cookies.access.value}` } });
  const icon = me.json.user.profile.icon_url;
  assert.match(icon, /^\/media\/[0-9a-f]{2}\/[0-9a-f]{64}\.png$/);
  const file = path.join(process.env.MEDIA_DIR, icon.replace(/^\/media\//, ''));
  const png = fs.readFileSync(file);
  assert.equal(png.readUInt32BE(16), 256, 'width');
  assert.equal(png.readUInt32BE(20), 256, 'height');
  assert.ok(seen.some((s) => s.url === '/avatar.png'));

  nextUser = { id: RUN + 51, login: `nopic-${RUN.toString(36)}`, name: 'No Pic', avatar_url: `${fakeUrl}/avatar.txt` };
  cb = await signIn();
  assert.equal(cb.status, 302, cb.body);
  me = await raw('/api/auth/me', { headers: { Cookie: `access=${cb.cookies.access.value}` } });
  assert.match(me.json.user.profile.icon_url, /^\/media\/[0-9a-f]{2}\/[0-9a-f]{64}\.png$/);
  assert.notEqual(me.json.user.profile.icon_url, icon);
});
