// pushservice.mjs - a fake Web Push service (RFC 8030) on loopback for the
// tests: it makes browser-side subscriptions (a P-256 key pair and an
// auth secret each), checks every push's VAPID header (RFC 8292: ES256
// JWT with the expected public key, aud = its origin, exp within 24 h)
// and decrypts its aes128gcm body (RFC 8291) with the subscription's
// private key, recording what arrived. Answers can be scripted per
// subscription (410, 429 with Retry-After, a delay).
import http from 'node:http';
import crypto from 'node:crypto';

const b64u = (buf) => Buffer.from(buf).toString('base64url');
const unb64u = (s) => Buffer.from(s, 'base64url');

/** The node KeyObject of a raw uncompressed P-256 point. */
function publicKeyOf(raw) {
  return crypto.createPublicKey({
    key: { kty: 'EC', crv: 'P-256', x: b64u(raw.subarray(1, 33)), y: b64u(raw.subarray(33, 65)) },
    format: 'jwk',
  });
}

/**
 * Checks "vapid t=<jwt>, k=<key>" for `audience`; returns the claims or
 * throws why not. `expectKey` (base64url) is the server's served key.
 */
export function checkVapid(header, audience, expectKey) {
  const m = /^vapid t=([A-Za-z0-9_.-]+), ?k=([A-Za-z0-9_-]+)$/.exec(header || '');
  if (!m) throw new Error(`Authorization is not a vapid header: ${header}`);
  const [, jwt, k] = m;
  if (expectKey && k !== expectKey) throw new Error('k is not the served VAPID key');
  const [h, c, sig] = jwt.split('.');
  const head = JSON.parse(unb64u(h).toString());
  if (head.alg !== 'ES256' || head.typ !== 'JWT') throw new Error(`bad JWT header ${JSON.stringify(head)}`);
  const ok = crypto.verify('sha256', Buffer.from(`${h}.${c}`), { key: publicKeyOf(unb64u(k)), dsaEncoding: 'ieee-p1363' }, unb64u(sig));
  if (!ok) throw new Error('the JWT signature does not verify');
  const claims = JSON.parse(unb64u(c).toString());
  const now = Date.now() / 1000;
  if (claims.aud !== audience) throw new Error(`aud ${claims.aud} is not ${audience}`);
  if (!(claims.exp > now && claims.exp <= now + 86400 + 5)) throw new Error(`exp ${claims.exp} is not within 24 h`);
  if (typeof claims.sub !== 'string' || !claims.sub) throw new Error('no sub');
  return claims;
}

/** Decrypts an aes128gcm body (one record) for a subscription. */
export function decrypt(body, sub) {
  const salt = body.subarray(0, 16);
  const rs = body.readUInt32BE(16);
  const idlen = body[20];
  if (idlen !== 65 || rs < 18) throw new Error(`bad header: rs ${rs}, idlen ${idlen}`);
  const asPublic = body.subarray(21, 86);
  const ct = body.subarray(86);
  if (ct.length > rs) throw new Error('more than one record');
  const shared = sub.ecdh.computeSecret(asPublic);
  const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0'), sub.publicKey, asPublic]);
  const ikm = Buffer.from(crypto.hkdfSync('sha256', shared, sub.auth, keyInfo, 32));
  const cek = Buffer.from(crypto.hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: aes128gcm\0'), 16));
  const nonce = Buffer.from(crypto.hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: nonce\0'), 12));
  const d = crypto.createDecipheriv('aes-128-gcm', cek, nonce);
  d.setAuthTag(ct.subarray(ct.length - 16));
  const plain = Buffer.concat([d.update(ct.subarray(0, ct.length - 16)), d.final()]);
  let end = plain.length - 1;
  while (end >= 0 && plain[end] === 0) end--;
  if (plain[end] !== 2) throw new Error('no last-record delimiter');
  return plain.subarray(0, end).toString('utf8');
}

/**
 * Starts the service. Resolves to { origin, subscribe(), pushes, errors,
 * script(sub, answers), waitFor(pred, ms), expectKey, connections,
 * held, dropped, close() }.
 * pushes: [{ sub, headers, payload (parsed JSON), at }]; held counts the
 * pushes that were held ({hold: ms} answers), dropped lists those whose
 * sender went away while held ([{ sub, payload, at }]).
 */
export async function startPushService() {
  const subs = new Map();
  const pushes = [];
  const errors = [];
  // connections: TCP connections accepted, so a test can show that a
  // refused endpoint was never connected to (not merely never answered).
  const dropped = [];
  const svc = { pushes, errors, dropped, held: 0, expectKey: null, connections: 0 };
  const server = http.createServer({ noDelay: true, keepAliveTimeout: 30000 }, (req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      const token = (req.url || '').replace(/^\/push\//, '');
      const sub = subs.get(token);
      if (!sub) { res.writeHead(404).end(); return; }
      try {
        if (req.method !== 'POST') throw new Error(`method ${req.method}`);
        checkVapid(req.headers.authorization, svc.origin, svc.expectKey);
        if (req.headers['content-encoding'] !== 'aes128gcm') throw new Error('Content-Encoding is not aes128gcm');
        if (!/^\d+$/.test(req.headers.ttl || '')) throw new Error('no TTL');
        const body = Buffer.concat(chunks);
        if (body.length > 4096) throw new Error(`body of ${body.length} bytes`);
        const payload = JSON.parse(decrypt(body, sub));
        const answer = sub.answers.length ? sub.answers.shift() : { status: 201 };
        if (answer.hold) {
          // Holds the push unanswered; a sender that goes away meanwhile
          // (killed) never had it taken: it is recorded in dropped only.
          svc.held += 1;
          const gone = await new Promise((r) => {
            const t = setTimeout(() => r(false), answer.hold);
            res.on('close', () => { clearTimeout(t); r(true); });
          });
          if (gone) { dropped.push({ sub, payload, at: Date.now() }); return; }
        }
        if (answer.status < 300) pushes.push({ sub, headers: req.headers, payload, at: Date.now() });
        else sub.refused.push({ status: answer.status, payload });
        if (answer.delay) await new Promise((r) => setTimeout(r, answer.delay));
        const headers = answer.retryAfter ? { 'Retry-After': String(answer.retryAfter) } : {};
        res.writeHead(answer.status, headers).end();
      } catch (e) {
        errors.push(e.message);
        res.writeHead(400).end(e.message);
      }
    });
  });
  server.on('connection', () => { svc.connections += 1; });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  svc.origin = `http://127.0.0.1:${server.address().port}`;
  /** A browser's subscription: { endpoint, keys: {p256dh, auth} } to POST. */
  svc.subscribe = () => {
    const ecdh = crypto.createECDH('prime256v1');
    ecdh.generateKeys();
    const token = crypto.randomBytes(12).toString('hex');
    const sub = { token, ecdh, publicKey: ecdh.getPublicKey(), auth: crypto.randomBytes(16), answers: [], refused: [] };
    sub.json = { endpoint: `${svc.origin}/push/${token}`, keys: { p256dh: b64u(sub.publicKey), auth: b64u(sub.auth) } };
    subs.set(token, sub);
    return sub;
  };
  /**
   * Answers the next pushes to `sub` with these ({status, retryAfter?,
   * delay?, hold?}): delay answers after recording the push, hold before
   * (a sender killed during a hold never had it taken).
   */
  svc.script = (sub, answers) => { sub.answers.push(...answers); };
  svc.waitFor = async (pred, ms = 10000) => {
    const end = Date.now() + ms;
    for (;;) {
      const got = pushes.filter(pred);
      if (got.length || Date.now() > end) return got;
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  svc.close = () => new Promise((r) => { server.closeAllConnections?.(); server.close(r); });
  return svc;
}
