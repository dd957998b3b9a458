// ws.mjs - websocket client helpers for relay tests.
import WebSocket from 'ws';
import { env } from './api.mjs';

/**
 * Opens a websocket. opts: { url, cookie, origin, ticket }. Resolves to a
 * wrapper { ws, events, next(pred, ms), send(obj), close() } once open, or
 * rejects with err.status set when the handshake is refused.
 */
export function connect(opts = {}) {
  let url = opts.url || env.wsUrl;
  if (opts.ticket) url += (url.includes('?') ? '&' : '?') + `ticket=${encodeURIComponent(opts.ticket)}`;
  const headers = {};
  if (opts.cookie) headers.Cookie = opts.cookie;
  const origin = opts.origin === undefined ? env.origin : opts.origin;
  if (origin) headers.Origin = origin;
  const ws = new WebSocket(url, { headers, handshakeTimeout: 5000 });
  const events = [];
  const waiters = [];
  ws.on('message', (data, isBinary) => {
    let ev;
    try { ev = JSON.parse(data.toString()); } catch { ev = { type: '_unparsed', data: data.toString(), isBinary }; }
    ev._at = Date.now();
    events.push(ev);
    for (const w of [...waiters]) if (w.pred(ev)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(ev); }
  });
  const wrapper = {
    ws, events,
    next(pred = () => true, ms = 5000) {
      const found = events.find((e) => !e._taken && pred(e));
      if (found) { found._taken = true; return Promise.resolve(found); }
      return new Promise((resolve, reject) => {
        const w = { pred: (e) => { if (pred(e)) { e._taken = true; return true; } return false; }, resolve };
        waiters.push(w);
        setTimeout(() => { const i = waiters.indexOf(w); if (i >= 0) { waiters.splice(i, 1); reject(new Error('no matching ws event')); } }, ms);
      });
    },
    send(obj) { ws.send(typeof obj === 'string' ? obj : JSON.stringify(obj)); },
    closed: new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() }))),
    close() { ws.close(); return wrapper.closed; },
  };
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(wrapper));
    ws.once('unexpected-response', (req, res) => {
      const err = new Error(`handshake refused: ${res.statusCode}`);
      err.status = res.statusCode;
      req.destroy();
      reject(err);
    });
    ws.once('error', (e) => reject(e));
  });
}
