// images.test.mjs - icon and wallpaper uploads: types by content, crop,
// limits (size, pixels, decompression bombs), served files, defaults.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { newUser, assertError, raw, REPO } from '../lib/api.mjs';
import { closeDb, sql, subscribe } from '../lib/db.mjs';

after(closeDb);

const FIXTURES = path.join(REPO, 'tests/fixtures');
const fixture = (name) => fs.readFileSync(path.join(FIXTURES, name));
const MEDIA = process.env.MEDIA_DIR;

/** A multipart/form-data body: fields {name: string} plus a file part. */
function multipart(fields, file) {
  const boundary = `----ecTest${Math.random().toString(16).slice(2)}`;
  const chunks = [];
  for (const [k, v] of Object.entries(fields)) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  }
  if (file) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; ` +
      `filename="${file.name}"\r\nContent-Type: ${file.type || 'application/octet-stream'}\r\n\r\n`));
    chunks.push(file.data, Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), type: `multipart/form-data; boundary=${boundary}` };
}

function upload(client, url, fields, file) {
  const { body, type } = multipart(fields, file);
  return client.req('POST', url, undefined, { body, headers: { 'Content-Type': type } });
}

const crop = (x, y, w, h) => ({ crop_x: x, crop_y: y, crop_w: w, crop_h: h });

/** Width and height of a PNG or JPEG file. */
function dimensions(buf) {
  if (buf.subarray(0, 8).equals(Buffer.from('89504e470d0a1a0a', 'hex'))) {
    return { type: 'png', width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) };
  }
  if (buf[0] === 0xff && buf[1] === 0xd8) {
    let i = 2;
    while (i + 9 < buf.length) {
      if (buf[i] !== 0xff) throw new Error('bad JPEG marker');
      const marker = buf[i + 1];
      const len = buf.readUInt16BE(i + 2);
      if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker)) {
        return { type: 'jpeg', height: buf.readUInt16BE(i + 5), width: buf.readUInt16BE(i + 7) };
      }
      i += 2 + len;
    }
  }
  throw new Error('not a PNG or JPEG');
}

/** Files under the media dir, defaults excluded. */
function mediaFiles() {
  const out = [];
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) { if (e.name !== 'defaults') walk(p); } else out.push(p);
    }
  };
  if (fs.existsSync(MEDIA)) walk(MEDIA);
  return out.sort();
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function pngChunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
/** A valid PNG header declaring width x height, with a tiny IDAT. */
function pngHeader(width, height) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; ihdr[9] = 2; // 8-bit RGB
  return Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), pngChunk('IHDR', ihdr),
    pngChunk('IDAT', zlib.deflateSync(Buffer.alloc(1 << 16))), pngChunk('IEND', Buffer.alloc(0))]);
}

for (const [file, type] of [['img-320x240.png', 'image/png'], ['img-320x240.jpg', 'image/jpeg'],
  ['img-320x240.gif', 'image/gif'], ['img-320x240.webp', 'image/webp']]) {
  test(`icon from ${file}: cropped, 256x256 PNG served under /media/`, async () => {
    const c = await newUser();
    const res = await upload(c, '/api/users/me/icon', crop(10, 20, 200, 150),
      { name: file, type, data: fixture(file) });
    assert.equal(res.status, 200, res.text);
    assert.match(res.json.icon_url, /^\/media\/([0-9a-f]{2})\/\1[0-9a-f]{62}\.png$/);
    assert.deepEqual(Object.keys(res.json), ['icon_url']);
    const got = await raw(res.json.icon_url);
    assert.equal(got.status, 200);
    assert.equal(got.headers['content-type'], 'image/png');
    assert.match(got.headers['cache-control'] || '', /immutable/);
    const body = fs.readFileSync(path.join(MEDIA, res.json.icon_url.slice('/media/'.length)));
    assert.deepEqual(dimensions(body), { type: 'png', width: 256, height: 256 });
    assert.equal((await c.get('/api/users/me')).json.profile.icon_url, res.json.icon_url);
  });
}

test('wallpaper: 1500x500 JPEG, metadata stripped; whole image when no crop is given', async () => {
  const c = await newUser();
  let res = await upload(c, '/api/users/me/wallpaper', crop(0, 0, 320, 100),
    { name: 'w.png', type: 'image/png', data: fixture('img-320x240.png') });
  assert.equal(res.status, 200, res.text);
  assert.match(res.json.wallpaper_url, /^\/media\/[0-9a-f]{2}\/[0-9a-f]{64}\.jpg$/);
  const got = await raw(res.json.wallpaper_url);
  assert.equal(got.status, 200);
  assert.equal(got.headers['content-type'], 'image/jpeg');
  const body = fs.readFileSync(path.join(MEDIA, res.json.wallpaper_url.slice(7)));
  assert.deepEqual(dimensions(body), { type: 'jpeg', width: 1500, height: 500 });
  assert.equal(body.indexOf('Exif'), -1);
  res = await upload(c, '/api/users/me/wallpaper', {},
    { name: 'w.webp', type: 'image/webp', data: fixture('img-320x240.webp') });
  assert.equal(res.status, 200, res.text);
  const me = await c.get('/api/users/me');
  assert.equal(me.json.profile.wallpaper_url, res.json.wallpaper_url);
});

test('the replaced file is removed unless someone else uses it', async () => {
  const a = await newUser();
  const b = await newUser();
  const png = { name: 'a.png', type: 'image/png', data: fixture('img-320x240.png') };
  const first = await upload(a, '/api/users/me/icon', crop(3, 7, 111, 97), png);
  assert.equal(first.status, 200, first.text);
  const firstFile = path.join(MEDIA, first.json.icon_url.slice(7));
  assert.ok(fs.existsSync(firstFile));
  // b uploads the same image and crop: the same content-addressed file.
  const shared = await upload(b, '/api/users/me/icon', crop(3, 7, 111, 97), png);
  assert.equal(shared.json.icon_url, first.json.icon_url);
  const second = await upload(a, '/api/users/me/icon', crop(5, 9, 120, 100), png);
  assert.equal(second.status, 200);
  assert.notEqual(second.json.icon_url, first.json.icon_url);
  assert.ok(fs.existsSync(firstFile), 'still used by b');
  const third = await upload(b, '/api/users/me/icon', crop(1, 1, 50, 50), png);
  assert.equal(third.status, 200);
  assert.equal(fs.existsSync(firstFile), false, 'no longer used: removed');
  assert.ok(fs.existsSync(path.join(MEDIA, second.json.icon_url.slice(7))));
});

test('crop outside the image, partial crops and bad fields are 400', async () => {
  const c = await newUser();
  const png = { name: 'a.png', type: 'image/png', data: fixture('img-320x240.png') };
  for (const fields of [crop(200, 0, 121, 100), crop(0, 200, 100, 41), crop(0, 0, 0, 10),
    crop(0, 0, 321, 240), crop(-1, 0, 10, 10), crop('a', 0, 10, 10)]) {
    const res = await upload(c, '/api/users/me/icon', fields, png);
    assertError(assert, res, 400);
  }
  const res = await upload(c, '/api/users/me/icon', crop(200, 0, 121, 100), png);
  assert.ok(res.json.error.fields.crop, res.text);
  assertError(assert, await upload(c, '/api/users/me/icon', { crop_x: 1, crop_y: 1 }, png), 400);
  assertError(assert, await upload(c, '/api/users/me/icon', { other: 1 }, png), 400);
  const nofile = await upload(c, '/api/users/me/icon', crop(0, 0, 10, 10));
  assertError(assert, nofile, 400);
  assert.ok(nofile.json.error.fields.file);
  // Malformed multipart: no closing delimiter.
  const { body, type } = multipart(crop(0, 0, 10, 10), png);
  const cut = await c.req('POST', '/api/users/me/icon', undefined,
    { body: body.subarray(0, body.length - 10), headers: { 'Content-Type': type } });
  assertError(assert, cut, 400);
  // JSON instead of multipart.
  assertError(assert, await c.post('/api/users/me/icon', { file: 'x' }), 415);
  const anon = multipart(crop(0, 0, 10, 10), png);
  assertError(assert, await raw('/api/users/me/icon', { method: 'POST', body: anon.body,
    headers: { 'Content-Type': anon.type } }), 401);
});

test('crop (0,0,0,0) is an empty rectangle: 400, not the whole image, nothing changed', async () => {
  const c = await newUser();
  const owner = await newUser();
  const created = await owner.post('/api/groups', { name: `crop0_${Date.now()}` });
  assert.equal(created.status, 201, created.text);
  const g = created.json;
  const png = { name: 'a.png', type: 'image/png', data: fixture('img-320x240.png') };
  const before = mediaFiles();
  for (const [client, url] of [[c, '/api/users/me/icon'], [c, '/api/users/me/wallpaper'],
    [owner, `/api/groups/${g.id}/icon`]]) {
    const res = await upload(client, url, crop(0, 0, 0, 0), png);
    assertError(assert, res, 400);
    assert.ok(res.json.error.fields.crop, res.text);
  }
  assert.deepEqual(mediaFiles(), before);
  const me = (await c.get('/api/users/me')).json;
  assert.equal(me.profile.icon_url, c.user.profile.icon_url);
  assert.equal(me.profile.wallpaper_url, c.user.profile.wallpaper_url);
});

test('a text file named .png is 415, nothing written', async () => {
  const c = await newUser();
  const before = mediaFiles();
  const res = await upload(c, '/api/users/me/icon', crop(0, 0, 10, 10),
    { name: 'evil.png', type: 'image/png', data: Buffer.from('<?php echo "hi"; ?>\n'.repeat(20)) });
  assertError(assert, res, 415);
  const svg = await upload(c, '/api/users/me/icon', crop(0, 0, 10, 10),
    { name: 'x.png', type: 'image/png', data: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>') });
  assertError(assert, svg, 415);
  assert.deepEqual(mediaFiles(), before);
});

test('a header declaring 100000x100000 pixels is refused in under a second, nothing written', async () => {
  const c = await newUser();
  const before = mediaFiles();
  const bomb = pngHeader(100000, 100000);
  const t0 = performance.now();
  const res = await upload(c, '/api/users/me/icon', crop(0, 0, 100, 100),
    { name: 'bomb.png', type: 'image/png', data: bomb });
  const ms = performance.now() - t0;
  assertError(assert, res, 413);
  assert.ok(ms < 1000, `took ${ms} ms`);
  // Just over 40 MP (8000 x 5001) is refused too; the wallpaper route as well.
  const over = await upload(c, '/api/users/me/wallpaper', {},
    { name: 'big.png', type: 'image/png', data: pngHeader(8000, 5001) });
  assertError(assert, over, 413);
  // The same declared by JPEG (SOF0) and GIF (logical screen) headers.
  const sof = Buffer.from('ffd8ffc0001108ea60ea60031101ff0211ff0311ffffd9', 'hex');
  const gif = Buffer.concat([Buffer.from('GIF89a'), Buffer.from('ffffffff000000', 'hex'),
    Buffer.from('2c000000000100010000020144003b', 'hex')]);
  for (const [name, data] of [['b.jpg', sof], ['b.gif', gif]]) {
    const t1 = performance.now();
    const r = await upload(c, '/api/users/me/icon', crop(0, 0, 1, 1), { name, data });
    assertError(assert, r, 413);
    assert.ok(performance.now() - t1 < 1000);
  }
  assert.deepEqual(mediaFiles(), before);
  console.log(`# bomb refused in ${ms.toFixed(1)} ms`);
});

/** An 8-bit RGB PNG of width x height whose pixels are all zero. */
function zeroPng(width, height) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; ihdr[9] = 2;
  const raw = Buffer.alloc((1 + width * 3) * height);
  return Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), pngChunk('IHDR', ihdr),
    pngChunk('IDAT', zlib.deflateSync(raw, { level: 9 })), pngChunk('IEND', Buffer.alloc(0))]);
}

/** The program's own account of converting the image of request `id`. */
function imageCost(id) {
  const dir = path.join(process.env.EASYCHAT_VAR, 'log');
  for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.log'))) {
    for (const line of fs.readFileSync(path.join(dir, f), 'utf8').split('\n')) {
      const m = line.includes(`req=${id}`) && line.match(/ image .* cpu_ms=(\d+) peak_rss_mb=(\d+)/);
      if (m) return { cpuMs: Number(m[1]), rssMb: Number(m[2]), line };
    }
  }
  return null;
}

test('decompression bomb inside the limits (6324 x 6324 zeros, 116 KB): converted on a budget', async () => {
  // It cost 5 s of CPU and 427 MB in one process: decoded whole, scaled to
  // cover, trimmed.  Now only the source rectangle is decoded, shrunk on
  // the way; the program logs what each conversion cost.
  const c = await newUser();
  const bomb = zeroPng(6324, 6324);
  assert.ok(bomb.length < 120 * 1024, `${bomb.length} bytes`);
  for (const url of ['/api/users/me/icon', '/api/users/me/wallpaper']) {
    const res = await upload(c, url, {}, { name: 'bomb.png', type: 'image/png', data: bomb });
    assert.equal(res.status, 200, res.text);
    const cost = imageCost(res.headers['x-request-id']);
    assert.ok(cost, `no cost line for request ${res.headers['x-request-id']}`);
    console.log(`# ${url}: ${cost.line.slice(cost.line.indexOf(' image '))}`);
    assert.ok(cost.cpuMs < 1500, `${cost.cpuMs} ms of CPU`);
    assert.ok(cost.rssMb < 250, `peak RSS ${cost.rssMb} MB`);
  }
});

test('very thin images (1 x 40 000, 40 000 x 1) are accepted: their centre becomes the picture', async () => {
  // They were 413: scaled to cover 256 x 256 first, 256 x 10 240 000.
  const c = await newUser();
  for (const [w, h] of [[1, 40000], [40000, 1]]) {
    const data = zeroPng(w, h);
    for (const [url, size] of [['/api/users/me/icon', [256, 256]], ['/api/users/me/wallpaper', [1500, 500]]]) {
      const res = await upload(c, url, {}, { name: 'thin.png', type: 'image/png', data });
      assert.equal(res.status, 200, `${w}x${h} ${url}: ${res.text}`);
      const file = fs.readFileSync(path.join(MEDIA, Object.values(res.json)[0].slice('/media/'.length)));
      const d = dimensions(file);
      assert.deepEqual([d.width, d.height], size);
    }
  }
  // A crop of one pixel of it too; an empty one is 400.
  const data = zeroPng(1, 40000);
  assert.equal((await upload(c, '/api/users/me/icon', crop(0, 39999, 1, 1), { name: 't.png', data })).status, 200);
  assertError(assert, await upload(c, '/api/users/me/icon', crop(0, 39999, 1, 0), { name: 't.png', data }), 400);
});

test('a body over 8 MiB is 413, nothing written', async () => {
  const c = await newUser();
  const before = mediaFiles();
  const big = Buffer.concat([fixture('img-320x240.png'), Buffer.alloc(8 * 1024 * 1024 + 100)]);
  const res = await upload(c, '/api/users/me/icon', crop(0, 0, 10, 10),
    { name: 'big.png', type: 'image/png', data: big });
  assertError(assert, res, 413);
  assert.deepEqual(mediaFiles(), before);
});

test('new users get a default icon and wallpaper that are served', async () => {
  const c = await newUser();
  const { icon_url: icon, wallpaper_url: wall } = c.user.profile;
  // The icon is drawn from the user id (common/avatar.c); the eight old
  // default icons stay valid for the users who have them.
  assert.match(icon, /^\/media\/[0-9a-f]{2}\/[0-9a-f]{64}\.png$/);
  assert.match(wall, /^\/media\/defaults\/wallpaper-[1-4]\.png$/);
  for (const url of [icon, wall]) {
    const res = await raw(url);
    assert.equal(res.status, 200, url);
    assert.equal(res.headers['content-type'], 'image/png');
  }
  // The schema picks among all of them: every default exists.
  for (let i = 1; i <= 8; i++) {
    assert.equal((await raw(`/media/defaults/icon-${i}.png`)).status, 200);
    assert.equal((await raw(`/media/defaults/group-icon-${i}.png`)).status, 200);
  }
  for (let i = 1; i <= 4; i++) assert.equal((await raw(`/media/defaults/wallpaper-${i}.png`)).status, 200);
  const rows = await sql('SELECT icon FROM profiles WHERE user_id = $1', [c.user.id]);
  assert.equal(`/media/${rows[0].icon}`, icon);
});

test('group icon and wallpaper: owner/admin only, group.updated after commit, defaults served', async () => {
  const owner = await newUser();
  const member = await newUser();
  const stranger = await newUser();
  const created = await owner.post('/api/groups', { name: `img_${Date.now()}`, is_public: false });
  assert.equal(created.status, 201, created.text);
  const g = created.json;
  assert.match(g.icon_url, /^\/media\/defaults\/group-icon-[1-8]\.png$/);
  assert.match(g.wallpaper_url, /^\/media\/defaults\/wallpaper-[1-4]\.png$/);
  assert.equal((await raw(g.icon_url)).status, 200);
  await sql("INSERT INTO group_members (group_id, user_id, role) VALUES ($1, $2, 'member')",
    [g.id, member.user.id]);
  const png = { name: 'g.png', type: 'image/png', data: fixture('img-320x240.png') };
  const before = mediaFiles();
  assertError(assert, await upload(member, `/api/groups/${g.id}/icon`, crop(0, 0, 100, 100), png), 403);
  assertError(assert, await upload(stranger, `/api/groups/${g.id}/icon`, crop(0, 0, 100, 100), png), 404);
  assertError(assert, await upload(owner, '/api/groups/999999999/icon', crop(0, 0, 100, 100), png), 404);
  assert.deepEqual(mediaFiles(), before, 'refused uploads write nothing');

  const events = await subscribe(`group:${g.id}`);
  try {
    const res = await upload(owner, `/api/groups/${g.id}/icon`, crop(20, 10, 160, 160), png);
    assert.equal(res.status, 200, res.text);
    assert.match(res.json.icon_url, /^\/media\/[0-9a-f]{2}\/[0-9a-f]{64}\.png$/);
    const ev = await events.next((m) => m.data.type === 'group.updated');
    assert.equal(ev.data.group_id, g.id);
    assert.equal(ev.data.group.icon_url, res.json.icon_url);
    const body = fs.readFileSync(path.join(MEDIA, res.json.icon_url.slice(7)));
    assert.deepEqual(dimensions(body), { type: 'png', width: 256, height: 256 });
    const wall = await upload(owner, `/api/groups/${g.id}/wallpaper`, {},
      { name: 'g.gif', type: 'image/gif', data: fixture('img-320x240.gif') });
    assert.equal(wall.status, 200, wall.text);
    const wbody = fs.readFileSync(path.join(MEDIA, wall.json.wallpaper_url.slice(7)));
    assert.deepEqual(dimensions(wbody), { type: 'jpeg', width: 1500, height: 500 });
    const detail = await owner.get(`/api/groups/${g.id}`);
    assert.equal(detail.json.icon_url, res.json.icon_url);
    assert.equal(detail.json.wallpaper_url, wall.json.wallpaper_url);
  } finally {
    await events.close();
  }
});
