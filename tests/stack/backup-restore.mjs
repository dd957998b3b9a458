// backup-restore.mjs - the two halves of tests/stack/backup-restore.sh: fill a stack, then check another one restored from its backup.
//   node backup-restore.mjs seed FILE     users, a group, messages and an icon; FILE gets what to find
//   node backup-restore.mjs verify FILE   every message, the icon and the sign-in are there
import fs from 'node:fs';
import path from 'node:path';
import assert from 'node:assert/strict';
import { Client, newUser, unique, raw, REPO } from '../lib/api.mjs';

const [cmd, file] = process.argv.slice(2);

function multipart(fields, name, data, type) {
  const b = `----ecBackup${Math.random().toString(16).slice(2)}`;
  const parts = Object.entries(fields).map(([k, v]) => Buffer.from(
    `--${b}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  parts.push(Buffer.from(`--${b}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\n`
    + `Content-Type: ${type}\r\n\r\n`), data, Buffer.from(`\r\n--${b}--\r\n`));
  return { body: Buffer.concat(parts), type: `multipart/form-data; boundary=${b}` };
}

/** Every message of a room, newest first, through the history pages. */
async function history(c, room) {
  const out = [];
  let url = `/api/rooms/${room}/messages?limit=100`;
  for (;;) {
    const res = await c.get(url);
    assert.equal(res.status, 200, res.text);
    out.push(...res.json.items);
    if (!res.json.has_more) return out;
    url = `/api/rooms/${room}/messages?limit=100&before=${res.json.items.at(-1).id}`;
  }
}

if (cmd === 'seed') {
  const owner = await newUser();
  const other = await newUser();
  let res = await owner.post('/api/groups', { name: unique('Backup') });
  assert.equal(res.status, 201, res.text);
  const gid = res.json.id;
  const room = res.json.topics[0].rooms[0].id;
  assert.equal((await other.post(`/api/groups/${gid}/join`)).status, 200);
  const sent = [];
  for (let i = 0; i < 120; i++) {
    const c = i % 3 ? owner : other;
    res = await c.post(`/api/rooms/${room}/messages`, { text: `backup message ${i} ${unique('w')}` });
    assert.equal(res.status, 201, res.text);
    sent.push({ id: res.json.id, text: res.json.text });
  }
  const png = fs.readFileSync(path.join(REPO, 'tests/fixtures/img-320x240.png'));
  const { body, type } = multipart({ crop_x: 0, crop_y: 0, crop_w: 240, crop_h: 240 }, 'a.png', png, 'image/png');
  res = await owner.req('POST', '/api/users/me/icon', undefined, { body, headers: { 'Content-Type': type } });
  assert.equal(res.status, 200, res.text);
  fs.writeFileSync(file, JSON.stringify({ username: owner.user.username, password: owner.password, room,
    sent, icon: res.json.icon_url }));
  console.log(`backup-restore: seeded ${sent.length} messages in room ${room}`);
} else if (cmd === 'verify') {
  const want = JSON.parse(fs.readFileSync(file, 'utf8'));
  const c = new Client();
  const login = await c.post('/api/auth/login', { username: want.username, password: want.password });
  assert.equal(login.status, 200, `sign-in after restore: ${login.text}`);
  const got = await history(c, want.room);
  const byId = new Map(got.map((m) => [m.id, m.text]));
  for (const m of want.sent) assert.equal(byId.get(m.id), m.text, `message ${m.id} after restore`);
  assert.equal(got.length, want.sent.length);
  const icon = await raw(want.icon);
  assert.equal(icon.status, 200, `icon ${want.icon} after restore`);
  assert.equal((await c.get('/api/users/me')).json.profile.icon_url, want.icon);
  // New rows get new ids after the restored ones (sequences restored too).
  const res = await c.post(`/api/rooms/${want.room}/messages`, { text: 'after the restore' });
  assert.equal(res.status, 201, res.text);
  assert.ok(res.json.id > Math.max(...want.sent.map((m) => m.id)));
  console.log(`backup-restore: found all ${want.sent.length} messages and the icon`);
} else {
  console.error('usage: backup-restore.mjs seed|verify FILE');
  process.exit(2);
}
