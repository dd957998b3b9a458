// attachments.test.mjs - files with messages (issue 13 item 6) against the
// real stack: upload limits and quota, types sniffed from content, images
// thumbnailed (pixel bombs refused), posting with attachment_ids, access
// checked on every download (outsiders 404, DMs), files removed once
// nothing references them, history cache, bad input refused with nothing
// stored. The --test stack sets ATTACH_MAX_BYTES=2 MiB and
// ATTACH_QUOTA_BYTES=5 MiB (conf/stack.sh).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { newUser, assertError, unique, REPO } from '../lib/api.mjs';
import { closeDb, sql } from '../lib/db.mjs';

after(closeDb);

const MAX = 2 * 1024 * 1024;
const MEDIA = process.env.MEDIA_DIR;
const fixture = (name) => fs.readFileSync(path.join(REPO, 'tests/fixtures', name));
const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');

/** Uploads `data` as part `part` (default "file") of a multipart body
 * built by the platform's FormData. */
async function upload(c, room, data, { name = 'f.bin', type = 'application/octet-stream',
  part = 'file', extra = {} } = {}) {
  const fd = new FormData();
  if (data !== null) fd.append(part, new Blob([data], { type }), name);
  for (const [k, v] of Object.entries(extra)) fd.append(k, v);
  const r = new Response(fd);
  const body = Buffer.from(await r.arrayBuffer());
  return c.req('POST', `/api/rooms/${room}/attachments`, undefined,
    { body, headers: { 'Content-Type': r.headers.get('content-type') } });
}

async function group(owner, ...members) {
  const res = await owner.post('/api/groups', { name: unique('g'), is_public: true });
  assert.equal(res.status, 201, res.text);
  for (const m of members) {
    const j = await m.post(`/api/groups/${res.json.id}/join`);
    assert.equal(j.status, 200, j.text);
  }
  return { id: res.json.id, room: res.json.topics[0].rooms[0].id };
}

const fileOf = (relpath) => path.join(MEDIA, relpath);
async function pathsOf(id) {
  const rows = await sql('SELECT path, thumb_path FROM attachments WHERE id = $1', [id]);
  return rows[0] ? [rows[0].path, rows[0].thumb_path].filter(Boolean) : [];
}
const countOf = async (userId) =>
  Number((await sql('SELECT count(*) AS n FROM attachments WHERE uploader_id = $1', [userId]))[0].n);

test('an image: 201 with dimensions and a bounded thumbnail; a member downloads it, an outsider gets 404', async () => {
  const a = await newUser();
  const b = await newUser();
  const outsider = await newUser();
  const g = await group(a, b);
  const up = await upload(a, g.room, fixture('img-320x240.jpg'), { name: 'photo.jpg', type: 'text/html' });
  assert.equal(up.status, 201, up.text);
  const att = up.json;
  assert.equal(att.content_type, 'image/jpeg');
  assert.equal(att.name, 'photo.jpg');
  assert.equal(att.width, 320);
  assert.equal(att.height, 240);
  assert.equal(att.size, fixture('img-320x240.jpg').length);
  assert.ok(att.thumbnail && att.thumbnail.width <= 400 && att.thumbnail.height <= 400);
  assert.equal(att.url, `/api/attachments/${att.id}`);
  const [file, thumb] = await pathsOf(att.id);
  assert.match(file, /^attachments\/[0-9a-f]{2}\/[0-9a-f]{64}$/);
  assert.ok(fs.existsSync(fileOf(file)) && fs.existsSync(fileOf(thumb)));
  // Not under any served path: /media/ only serves image extensions.
  const direct = await a.get(`/media/${file}`);
  assert.ok([403, 404].includes(direct.status), `${direct.status}`);

  // Before it is sent only the uploader can fetch it.
  assert.equal((await a.get(att.url)).status, 200);
  assertError(assert, await b.get(att.url), 404);

  const msg = await a.post(`/api/rooms/${g.room}/messages`, { text: 'look', attachment_ids: [att.id] });
  assert.equal(msg.status, 201, msg.text);
  assert.equal(msg.json.attachments.length, 1);
  assert.equal(msg.json.attachments[0].id, att.id);

  const got = await b.get(att.url);
  assert.equal(got.status, 200, got.text);
  assert.equal(got.headers['content-type'], 'image/jpeg');
  assert.equal(Number(got.headers['content-length']), att.size);
  assert.match(got.headers['content-disposition'], /^inline; filename="photo.jpg"/);
  assert.equal(got.headers['x-content-type-options'], 'nosniff');
  assert.match(got.headers['content-security-policy'], /sandbox/);
  assert.match(got.headers['cache-control'], /private/);
  assert.doesNotMatch(got.headers['cache-control'], /no-store|public/);
  const th = await b.get(att.thumbnail.url);
  assert.equal(th.status, 200);
  assert.equal(th.headers['content-type'], 'image/jpeg');

  assertError(assert, await outsider.get(att.url), 404);
  assertError(assert, await outsider.get(att.thumbnail.url), 404);
  assertError(assert, await outsider.get('/api/attachments/999999999'), 404);
});

test('types come from the content: a PDF, text, unknown bytes; the client name is sanitised', async () => {
  const a = await newUser();
  const g = await group(a);
  const pdf = await upload(a, g.room, PDF, { name: '../../etc/..ev\u0007il.png', type: 'image/png' });
  assert.equal(pdf.status, 201, pdf.text);
  assert.equal(pdf.json.content_type, 'application/pdf');
  assert.equal(pdf.json.name, 'ev_il.png');
  assert.equal(pdf.json.thumbnail, undefined);
  assert.equal(pdf.json.width, undefined);
  const html = await upload(a, g.room, Buffer.from('<html><script>alert(1)</script></html>'),
    { name: 'page.html', type: 'text/html' });
  assert.equal(html.json.content_type, 'text/plain');
  const bin = await upload(a, g.room, Buffer.from([0, 1, 2, 3, 255, 254]), { name: 'x.exe' });
  assert.equal(bin.json.content_type, 'application/octet-stream');
  const noName = await upload(a, g.room, Buffer.from('hi'), { name: '...' });
  assert.equal(noName.json.name, 'file');

  const msg = await a.post(`/api/rooms/${g.room}/messages`,
    { attachment_ids: [pdf.json.id, html.json.id, bin.json.id] });
  assert.equal(msg.status, 201, msg.text);
  assert.equal(msg.json.text, '');
  // With files the text may also be sent empty (what the SPA does).
  const more = (await upload(a, g.room, Buffer.from('more'))).json;
  const empty = await a.post(`/api/rooms/${g.room}/messages`, { text: '', attachment_ids: [more.id] });
  assert.equal(empty.status, 201, empty.text);
  assert.deepEqual(msg.json.attachments.map((x) => x.id), [pdf.json.id, html.json.id, bin.json.id]);
  const dl = await a.get(pdf.json.url);
  assert.equal(dl.status, 200);
  assert.equal(dl.headers['content-type'], 'application/pdf');
  assert.match(dl.headers['content-disposition'], /^attachment; filename="ev_il.png"; filename\*=UTF-8''ev_il.png$/);
  assert.equal(dl.text, PDF.toString());
  const h = await a.get(html.json.url);
  assert.match(h.headers['content-disposition'], /^attachment;/);
  assert.equal(h.headers['content-type'], 'text/plain');
  assertError(assert, await a.get(`${pdf.json.url}/thumbnail`), 404);
});

test('size limit, pixel bombs and bad bodies: JSON errors and nothing stored', async () => {
  const a = await newUser();
  const outsider = await newUser();
  const g = await group(a);
  const before = await countOf(a.user.id);
  assertError(assert, await upload(a, g.room, crypto.randomBytes(MAX + 1)), 413);
  // Far over: refused by the front or by the program, JSON either way.
  assertError(assert, await upload(a, g.room, crypto.randomBytes(3 * MAX)), 413);
  // Pixel bombs declared by GIF and JPEG headers, and a PNG-looking fake.
  const gif = Buffer.concat([Buffer.from('GIF89a'), Buffer.from('ffffffff000000', 'hex'),
    Buffer.from('2c000000000100010000020144003b', 'hex')]);
  const sof = Buffer.from('ffd8ffc0001108ea60ea60031101ff0211ff0311ffffd9', 'hex');
  assertError(assert, await upload(a, g.room, gif, { name: 'b.gif' }), 413);
  assertError(assert, await upload(a, g.room, sof, { name: 'b.jpg' }), 413);
  const fake = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), crypto.randomBytes(100)]);
  assertError(assert, await upload(a, g.room, fake, { name: 'x.png' }), 400);
  // Malformed requests.
  assertError(assert, await upload(a, g.room, null, { extra: { note: 'x' } }), 400, 'validation_failed');
  assertError(assert, await upload(a, g.room, Buffer.alloc(0)), 400, 'validation_failed');
  assertError(assert, await upload(a, g.room, Buffer.from('x'), { part: 'other' }), 400, 'validation_failed');
  assertError(assert, await a.post(`/api/rooms/${g.room}/attachments`, { file: 'x' }), 415);
  assertError(assert, await a.req('POST', `/api/rooms/${g.room}/attachments`, undefined,
    { body: 'garbage', headers: { 'Content-Type': 'multipart/form-data; boundary=zz' } }), 400);
  // Not a member, no such room.
  assertError(assert, await upload(outsider, g.room, Buffer.from('x')), 404);
  assertError(assert, await upload(a, 999999999, Buffer.from('x')), 404);
  assert.equal(await countOf(a.user.id), before);
  assert.equal(await countOf(outsider.user.id), 0);
});

test('the quota counts a user\'s stored bytes in PostgreSQL', async () => {
  const a = await newUser();
  const g = await group(a);
  for (let i = 0; i < 2; i++) {
    const r = await upload(a, g.room, crypto.randomBytes(MAX));
    assert.equal(r.status, 201, r.text);
  }
  const over = await upload(a, g.room, crypto.randomBytes(MAX));
  assertError(assert, over, 413);
  assert.match(over.json.error.message, /storage/);
  assert.equal(await countOf(a.user.id), 2);
  // What is left still fits.
  assert.equal((await upload(a, g.room, crypto.randomBytes(1024 * 1024))).status, 201);
});

test('attachment_ids: own unsent uploads of the same room only, at most 10; nothing posted otherwise', async () => {
  const a = await newUser();
  const b = await newUser();
  const g = await group(a, b);
  const g2 = await group(a);
  const mine = (await upload(a, g.room, Buffer.from('mine'))).json;
  const theirs = (await upload(b, g.room, Buffer.from('theirs'))).json;
  const elsewhere = (await upload(a, g2.room, Buffer.from('elsewhere'))).json;
  const count = async () => Number((await sql('SELECT count(*) AS n FROM messages WHERE room_id = $1', [g.room]))[0].n);
  const n0 = await count();
  for (const body of [
    { attachment_ids: [theirs.id] },
    { attachment_ids: [elsewhere.id] },
    { attachment_ids: [mine.id, 999999999] },
    { attachment_ids: [mine.id, mine.id] },
    { attachment_ids: Array.from({ length: 11 }, (_, i) => i + 1) },
    { attachment_ids: 'x' },
    { attachment_ids: [0] },
    { attachment_ids: [] },
    { text: 'x', attachment_ids: ['1'] },
  ]) {
    const r = await a.post(`/api/rooms/${g.room}/messages`, body);
    assertError(assert, r, 400, 'validation_failed');
    assert.ok(r.json.error.fields.attachment_ids || r.json.error.fields.text, r.text);
  }
  assert.equal(await count(), n0);
  const ok = await a.post(`/api/rooms/${g.room}/messages`, { text: 'one', attachment_ids: [mine.id] });
  assert.equal(ok.status, 201, ok.text);
  // Already sent: not again.
  assertError(assert, await a.post(`/api/rooms/${g.room}/messages`, { attachment_ids: [mine.id] }), 400, 'validation_failed');
  // Editing keeps the files.
  const ed = await a.patch(`/api/messages/${ok.json.id}`, { text: 'edited' });
  assert.equal(ed.status, 200, ed.text);
  assert.equal(ed.json.attachments.length, 1);
  assert.equal(ed.json.attachments[0].id, mine.id);
});

test('history: the cached newest page shows a new message\'s attachments', async () => {
  const a = await newUser();
  const b = await newUser();
  const g = await group(a, b);
  await a.post(`/api/rooms/${g.room}/messages`, { text: 'first' });
  // Fill the cache (twice: a miss, then a hit).
  for (let i = 0; i < 2; i++) assert.equal((await b.get(`/api/rooms/${g.room}/messages`)).status, 200);
  const att = (await upload(a, g.room, fixture('img-320x240.png'), { name: 'p.png' })).json;
  const m = await a.post(`/api/rooms/${g.room}/messages`, { attachment_ids: [att.id] });
  assert.equal(m.status, 201, m.text);
  const page = await b.get(`/api/rooms/${g.room}/messages`);
  assert.equal(page.json.items[0].id, m.json.id);
  assert.equal(page.json.items[0].attachments[0].id, att.id);
  assert.equal(page.json.items[0].attachments[0].thumbnail.width, 320);
  // Deleting the message takes it out of the page again.
  assert.equal((await a.del(`/api/messages/${m.json.id}`)).status, 204);
  const after2 = await b.get(`/api/rooms/${g.room}/messages`);
  assert.notEqual(after2.json.items[0].id, m.json.id);
  assertError(assert, await b.get(att.url), 404);
});

test('direct messages: participants download, anyone else gets 404', async () => {
  const a = await newUser();
  const b = await newUser();
  const c = await newUser();
  const conv = await a.post('/api/users/me/conversations', { user_ids: [b.user.id] });
  assert.ok(conv.status === 201 || conv.status === 200, conv.text);
  const room = conv.json.room_id ?? conv.json.room?.id ?? conv.json.rooms?.[0]?.id;
  assert.ok(room, conv.text);
  const att = (await upload(a, room, PDF, { name: 'doc.pdf' })).json;
  assert.equal((await a.post(`/api/rooms/${room}/messages`, { attachment_ids: [att.id] })).status, 201);
  assert.equal((await b.get(att.url)).status, 200);
  assertError(assert, await c.get(att.url), 404);
  assertError(assert, await upload(c, room, PDF), 404);
});

test('files go once nothing references them: shared bytes, message, room, purge, unsent uploads', async () => {
  const a = await newUser();
  const b = await newUser();
  const g = await group(a, b);
  const bytes = crypto.randomBytes(4096);
  const one = (await upload(a, g.room, bytes, { name: 'one' })).json;
  const two = (await upload(b, g.room, bytes, { name: 'two' })).json;
  const [p1] = await pathsOf(one.id);
  const [p2] = await pathsOf(two.id);
  assert.equal(p1, p2, 'equal bytes share one file');
  const m1 = (await a.post(`/api/rooms/${g.room}/messages`, { attachment_ids: [one.id] })).json;
  const m2 = (await b.post(`/api/rooms/${g.room}/messages`, { attachment_ids: [two.id] })).json;
  assert.equal((await a.del(`/api/messages/${m1.id}`)).status, 204);
  assert.ok(fs.existsSync(fileOf(p1)), 'still used by the other message');
  assert.equal((await b.del(`/api/messages/${m2.id}`)).status, 204);
  assert.ok(!fs.existsSync(fileOf(p1)), 'removed with its last reference');
  assert.equal(await countOf(a.user.id), 0);

  // A room's deletion takes its messages' files (and thumbnails).
  const img = (await upload(a, g.room, fixture('img-320x240.gif'), { name: 'a.gif' })).json;
  const imgPaths = await pathsOf(img.id);
  assert.equal(imgPaths.length, 2);
  await a.post(`/api/rooms/${g.room}/messages`, { attachment_ids: [img.id] });
  const room2 = await a.post(`/api/topics/${(await a.get(`/api/groups/${g.id}`)).json.topics[0].id}/rooms`,
    { name: unique('r').slice(0, 20) });
  assert.equal(room2.status, 201, room2.text);
  assert.equal((await a.del(`/api/rooms/${g.room}`)).status, 204);
  for (const p of imgPaths) assert.ok(!fs.existsSync(fileOf(p)), p);

  // A user deleted with purge: their messages' files go.
  const c = await newUser();
  await c.post(`/api/groups/${g.id}/join`);
  const cf = (await upload(c, room2.json.id, crypto.randomBytes(100))).json;
  const [cp] = await pathsOf(cf.id);
  await c.post(`/api/rooms/${room2.json.id}/messages`, { attachment_ids: [cf.id] });
  const del = await c.del('/api/users/me', { password: c.password, purge: true });
  assert.equal(del.status, 204, del.text);
  assert.ok(!fs.existsSync(fileOf(cp)));

  // Uploads never sent are removed after a day by easychat-deliver.
  const stale = (await upload(a, room2.json.id, crypto.randomBytes(100))).json;
  const fresh = (await upload(a, room2.json.id, crypto.randomBytes(100))).json;
  const [sp] = await pathsOf(stale.id);
  await sql("UPDATE attachments SET created_at = now() - interval '25 hours' WHERE id = $1", [stale.id]);
  const r = spawnSync(path.join(process.env.BIN_DIR, 'easychat-deliver'), ['--once'], {
    encoding: 'utf8', timeout: 60000,
    env: { PATH: process.env.PATH, EASYCHAT_ENV: process.env.EASYCHAT_ENV, EASYCHAT_VAR: process.env.EASYCHAT_VAR,
      ASAN_OPTIONS: process.env.ASAN_OPTIONS ?? '', UBSAN_OPTIONS: process.env.UBSAN_OPTIONS ?? '',
      LSAN_OPTIONS: process.env.LSAN_OPTIONS ?? '' },
  });
  assert.equal(r.status, 0, r.stderr);
  assert.equal((await pathsOf(stale.id)).length, 0);
  assert.ok(!fs.existsSync(fileOf(sp)));
  assert.equal((await pathsOf(fresh.id)).length, 1);
});
