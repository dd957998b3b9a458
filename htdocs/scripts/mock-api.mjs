// A tiny in-memory stand-in for the REST API (no websocket), for looking at
// the SPA without the C back end: `node scripts/mock-api.mjs` (port 8080),
// then `npm run dev` or `npm run preview` (both proxy /api to it).
// Development only; the real contract is the API reference (/reference/).
import http from 'node:http';

const now = () => new Date().toISOString().replace(/(\.\d{3})\d*Z$/, '$1Z');
const profile = (name) => ({ full_name: name, bio: '', gender: 'Undefined', status: 'Online', default_status: 'Online', icon_url: null, wallpaper_url: null, date_joined: now(), last_seen: null });
const users = [
  { id: 1, username: 'alice', profile: profile('Alice') },
  { id: 2, username: 'bobby', profile: profile('Bob') },
];
let me = process.env.SIGNED_IN ? users[0] : null;
const group = { id: 1, name: 'Easy Chat', description: 'The first group', category: 'Science', is_public: true, icon_url: null, wallpaper_url: null, my_role: 'owner', member_count: 2, online_count: 1, topics: [{ id: 1, name: 'General', rooms: [{ id: 1, name: 'home', description: 'Say hi', unread_count: 0, last_message_id: null, last_read_id: 150 }, { id: 2, name: 'random', description: '', unread_count: 3, last_message_id: null, last_read_id: null }] }] };
const messages = [];
let nextId = 1;
const base = Date.now() - 3 * 86400_000;
for (let i = 0; i < 180; i++) {
  const u = users[i % 3 === 0 ? 1 : 0];
  messages.push({ id: nextId++, room_id: 1, sender: { id: u.id, username: u.username, full_name: u.profile.full_name, icon_url: null }, text: `Message number ${nextId - 1}` + (i % 7 === 0 ? '\nwith a second line' : ''), reply_to: null, created_at: new Date(base + i * 1500_000).toISOString(), edited_at: null, nonce: null });
}

function send(res, status, body) {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(body === undefined ? '' : JSON.stringify(body));
}
const err = (res, status, code, message) => send(res, status, { error: { code, message } });

http
  .createServer(async (req, res) => {
    const url = new URL(req.url, 'http://x');
    const p = url.pathname;
    let body = '';
    for await (const chunk of req) body += chunk;
    const json = body && req.headers['content-type']?.startsWith('application/json') ? JSON.parse(body) : {};
    const m = req.method;
    if (p === '/api/auth/providers') return send(res, 200, { password: true, google: false, github: true });
    if (p === '/api/auth/login' || p === '/api/auth/signup') {
      me = users.find((u) => u.username === json.username) ?? users[0];
      return send(res, m === 'POST' && p.endsWith('signup') ? 201 : 200, { user: me });
    }
    if (p === '/api/auth/logout') { me = null; return send(res, 204); }
    if (!me) return err(res, 401, 'unauthenticated', 'Not signed in');
    if (p === '/api/auth/me') return send(res, 200, { user: me });
    if (p === '/api/groups' && m === 'GET') return send(res, 200, { items: [{ id: 1, name: group.name, icon_url: null, my_role: 'owner', has_unread: true, unread_count: 3 }], has_more: false });
    if (p === '/api/groups/1') return send(res, 200, group);
    if (p === '/api/groups/1/members') return send(res, 200, { items: users.map((u, i) => ({ user: u, role: i === 0 ? 'owner' : 'member', online: i === 0 })), has_more: false });
    if (p === '/api/public-groups') return send(res, 200, { items: [{ ...group, member_count: 2, online_count: 1 }], has_more: false });
    const rm = p.match(/^\/api\/rooms\/(\d+)\/messages$/);
    if (rm && m === 'GET') {
      const room = Number(rm[1]);
      const limit = Number(url.searchParams.get('limit') ?? 50);
      const inRoom = messages.filter((x) => x.room_id === room);
      if (url.searchParams.has('after')) {
        const a = inRoom.filter((x) => x.id > Number(url.searchParams.get('after')));
        return send(res, 200, { items: a.slice(0, limit), has_more: a.length > limit });
      }
      const before = url.searchParams.has('before') ? Number(url.searchParams.get('before')) : Infinity;
      const b = inRoom.filter((x) => x.id < before).reverse();
      return send(res, 200, { items: b.slice(0, limit), has_more: b.length > limit });
    }
    if (rm && m === 'POST') {
      if (json.text === 'fail') return err(res, 500, 'internal', 'Server error');
      const dupe = messages.find((x) => x.nonce && x.nonce === json.nonce);
      if (dupe) return send(res, 200, dupe);
      const msg = { id: nextId++, room_id: Number(rm[1]), sender: { id: me.id, username: me.username, full_name: me.profile.full_name, icon_url: null }, text: json.text, reply_to: json.reply_to ? { id: json.reply_to, sender_id: 1, text: messages.find((x) => x.id === json.reply_to)?.text ?? '' } : null, created_at: now(), edited_at: null, nonce: json.nonce ?? null };
      messages.push(msg);
      return send(res, 201, msg);
    }
    if (/^\/api\/rooms\/\d+\/read$/.test(p)) return send(res, 204);
    const mm = p.match(/^\/api\/messages\/(\d+)$/);
    if (mm) {
      const i = messages.findIndex((x) => x.id === Number(mm[1]));
      if (i < 0) return err(res, 404, 'not_found', 'No such message');
      if (m === 'DELETE') { messages.splice(i, 1); return send(res, 204); }
      messages[i] = { ...messages[i], text: json.text, edited_at: now() };
      return send(res, 200, messages[i]);
    }
    if (p === '/api/search/messages') {
      const q = (url.searchParams.get('q') ?? '').toLowerCase();
      const hits = messages.filter((x) => x.text.toLowerCase().includes(q)).slice(0, 10);
      return send(res, 200, { items: hits.map((h) => ({ ...h, snippet: h.text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(new RegExp(q.replace(/[^a-z0-9]/g, ''), 'i'), (x) => `<mark>${x}</mark>`) })), has_more: false });
    }
    if (p === '/api/users/me' && m === 'PATCH') { Object.assign(me.profile, json); return send(res, 200, me); }
    if (p === '/api/groups/1/invites' && m === 'POST') return send(res, 201, { code: 'AbC123xy', expires_at: null, max_uses: null });
    return err(res, 404, 'not_found', `mock: ${m} ${p}`);
  })
  .listen(Number(process.env.PORT ?? 8080), '127.0.0.1');
