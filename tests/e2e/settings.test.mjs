// settings.test.mjs - profile icon upload through the crop dialog (file
// input, zoom, save; the new /media/ picture loads everywhere it is shown)
// and the public-group directory (browse by category, search, join).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { newUser, REPO, unique } from '../lib/api.mjs';
import { closeDb, sql } from '../lib/db.mjs';
import {
  assertNoErrors, closeAll, launch, openUser, poll, shot, signupApi,
} from './lib.mjs';

const FIXTURE = path.join(REPO, 'tests/fixtures/img-320x240.png');

describe('settings and directory', () => {
  let browser;
  let carol;

  before(async () => {
    browser = await launch();
    carol = await openUser(browser, 'carol');
    await signupApi(carol, unique('carol'));
  });

  after(async () => {
    await closeAll(browser, carol);
    await closeDb();
  });

  test('an icon upload with a crop shows the new icon', async () => {
    const { page } = carol;
    await page.goto('/settings');
    const preview = page.getByTestId('icon-preview');
    await preview.waitFor();
    const before = await preview.getAttribute('src');
    assert.match(before, /^\/media\//);
    assert.equal(await page.getByTestId('self-avatar').getAttribute('src'), before);

    await page.getByTestId('icon-upload-input').setInputFiles(FIXTURE);
    const dialog = page.getByTestId('crop-dialog');
    await dialog.waitFor();
    // The cropper's stylesheet is a file (CSP style-src 'self'): its area is
    // laid out, so the picture and crop box have a real size.
    const box = await dialog.locator('.reactEasyCrop_CropArea').boundingBox();
    assert.ok(box && box.width > 50 && Math.abs(box.width - box.height) < 2, `crop area ${JSON.stringify(box)}`);
    await page.getByTestId('crop-zoom').fill('2');
    const save = page.getByTestId('crop-save');
    await poll(async () => assert.equal(await save.isEnabled(), true));
    await shot(page, 'settings-crop');

    // Chromium does not hand a body with a file to the test, so the page's
    // fetch records the form fields it sends.
    await page.evaluate(() => {
      const orig = window.fetch;
      window.__e2eForms = [];
      window.fetch = function (input, init) {
        if (init && init.body instanceof FormData) {
          window.__e2eForms.push({ url: String(input), fields: Object.fromEntries([...init.body]
            .map(([k, v]) => [k, typeof v === 'string' ? v : `(file ${v.size})`])) });
        }
        return orig.apply(this, arguments);
      };
    });
    const [upload] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/api/users/me/icon')),
      save.click(),
    ]);
    assert.equal(upload.status(), 200);
    const forms = await page.evaluate(() => window.__e2eForms);
    assert.equal(forms.length, 1);
    const f = forms[0].fields;
    assert.match(forms[0].url, /\/users\/me\/icon$/);
    assert.equal(f.file, `(file ${fs.statSync(FIXTURE).size})`);
    const [x, y, w, h] = ['crop_x', 'crop_y', 'crop_w', 'crop_h'].map((k) => Number(f[k]));
    // Zoom 2 on a 320×240 picture with a square crop: a 120×120 square
    // (±1 px of rounding) inside the picture.
    assert.ok(Math.abs(w - 120) <= 1 && Math.abs(h - 120) <= 1, `crop ${w}×${h}`);
    assert.ok(x >= 0 && y >= 0 && x + w <= 320 && y + h <= 240, `crop at ${x},${y}`);
    await dialog.waitFor({ state: 'detached' });

    await poll(async () => assert.notEqual(await preview.getAttribute('src'), before));
    const after = await preview.getAttribute('src');
    assert.match(after, /^\/media\/[^?]+\.(png|jpe?g|webp)$/);
    const rows = await sql('SELECT icon FROM profiles WHERE user_id = $1', [carol.user.id]);
    assert.equal(`/media/${rows[0].icon}`, after);
    // It loads (a decoded 256×256 picture) in the settings and in the rail.
    await poll(async () => assert.equal(await page.getByTestId('self-avatar').getAttribute('src'), after));
    for (const img of [preview, page.getByTestId('self-avatar')]) {
      await poll(async () => assert.deepEqual(await img.evaluate((el) => [el.complete, el.naturalWidth, el.naturalHeight]),
        [true, 256, 256]));
    }
    const res = await carol.context.request.get(after);
    assert.equal(res.status(), 200);
    assert.match(res.headers()['content-type'], /^image\//);
    await shot(page, 'settings');
    assertNoErrors(assert, carol);
  });

  test('the directory lists public groups by category, searches, and joins', async () => {
    // A handful of public groups from someone else, made through the API.
    const owner = await newUser();
    const wanted = [
      ['Retro Gaming Club', 'Gaming', 'Pixel art, speedruns and cartridges that still work.'],
      ['Synth Makers', 'Music', 'Patch cables, modular racks and the occasional melody.'],
      ['Night Sky Watchers', 'Science', 'Telescopes, star charts and clear-sky alerts.'],
      ['Film Friday', 'Entertainment', 'One film a week, then we argue about it.'],
      ['Calculus Study Hall', 'Education', 'Limits, series and late-night problem sets.'],
      ['Jazz Standards', 'Music', 'Real Book tunes, transcriptions and jam nights.'],
    ];
    // A word of this run in every description: the stack holds many other
    // public groups (the integration suites ran first), more than one
    // directory page, so the test searches for its own.
    const tag = `run${unique('').slice(1, 9)}`;
    const made = [];
    for (const [name, category, text] of wanted) {
      const description = `${text} ${tag}`;
      let res = await owner.post('/api/groups', { name, category, description, is_public: true });
      if (res.status === 409) { // a rerun against the same stack
        res = await owner.post('/api/groups', { name: `${name} ${unique('').slice(1, 5)}`, category, description, is_public: true });
      }
      assert.equal(res.status, 201, res.text);
      made.push({ id: res.json.id, name: res.json.name, category });
    }

    const { page } = carol;
    await page.getByTestId('rail-directory').click();
    await page.waitForURL(/\/directory$/);
    await page.getByTestId('directory-search').fill(tag);
    for (const g of made) await page.locator(`[data-testid=directory-group][data-group-id="${g.id}"]`).waitFor();
    await shot(page, 'directory');

    // Category chips filter.
    await page.getByTestId('directory-category').filter({ hasText: /^Music$/ }).click();
    const music = made.filter((g) => g.category === 'Music').map((g) => g.id).sort();
    await poll(async () => {
      const ids = await page.getByTestId('directory-group').evaluateAll((els) => els.map((e) => Number(e.dataset.groupId)));
      const rows = await sql('SELECT id, category FROM groups WHERE id = ANY($1::bigint[])', [ids]);
      assert.ok(rows.length === ids.length && rows.every((r) => r.category === 'Music'), `not all Music: ${ids}`);
      for (const id of music) assert.ok(ids.includes(id), `Music group ${id} missing`);
      assert.equal(ids.length, music.length, 'only this run\'s Music groups');
    });
    await page.getByTestId('directory-category').filter({ hasText: /^All$/ }).click();

    // Search, then join the hit.
    const target = made.find((g) => g.name.startsWith('Night Sky'));
    await page.getByTestId('directory-search').fill(target.name);
    // Ranked: the exact name first; only groups that match (a rerun against
    // the same stack may have left a "Night Sky Watchers <suffix>").
    await poll(async () => {
      const cards = await page.getByTestId('directory-group').evaluateAll((els) =>
        els.map((e) => [Number(e.dataset.groupId), e.textContent]));
      assert.equal(cards[0]?.[0], target.id);
      for (const [, text] of cards) assert.match(text, /Night Sky Watchers/);
    });
    await page.locator(`[data-testid=directory-group][data-group-id="${target.id}"]`).getByTestId('directory-join').click();
    await page.waitForURL(new RegExp(`/g/${target.id}(/r/\\d+)?$`));
    await page.getByTestId('chat-pane').waitFor();
    assert.equal(await page.getByTestId('group-name').innerText(), target.name);
    const rows = await sql('SELECT role FROM group_members WHERE group_id = $1 AND user_id = $2', [target.id, carol.user.id]);
    assert.deepEqual(rows, [{ role: 'member' }]);
    await page.locator(`[data-testid=group-rail-item][data-group-id="${target.id}"]`).waitFor();
    assertNoErrors(assert, carol);
  });
});
