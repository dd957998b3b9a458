// attachments.test.mjs - issue 13 item 6 in browsers: alice attaches an
// image (picker) and a PDF (dropped onto the room), sees both upload,
// sends them with a text; bob sees the preview, opens the gallery view and
// downloads both files; an outsider's fetch of either is 404.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { REPO, unique } from '../lib/api.mjs';
import { closeDb } from '../lib/db.mjs';
import {
  apiJson, assertNoErrors, closeAll, launch, openUser, poll, shot, signupApi,
} from './lib.mjs';

const PNG = fs.readFileSync(path.join(REPO, 'tests/fixtures/img-320x240.png'));
const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');

describe('attachments', () => {
  let browser;
  let alice;
  let bob;
  let eve;
  let room;

  before(async () => {
    browser = await launch();
    alice = await openUser(browser, 'alice');
    bob = await openUser(browser, 'bob');
    eve = await openUser(browser, 'eve');
    await signupApi(alice, unique('alice'));
    await signupApi(bob, unique('bob'));
    await signupApi(eve, unique('eve'));
    const g = await apiJson(alice, 'POST', '/api/groups', { name: unique('files'), is_public: true });
    room = g.topics[0].rooms[0].id;
    await apiJson(bob, 'POST', `/api/groups/${g.id}/join`);
    for (const s of [alice, bob]) {
      await s.page.goto(`/g/${g.id}/r/${room}`);
      await s.page.getByTestId('composer').waitFor();
    }
  });

  after(async () => {
    await closeAll(browser, alice, bob, eve);
    await closeDb();
  });

  test('attach an image and a PDF; the other member previews and downloads both; an outsider gets 404', async () => {
    const a = alice.page;
    // The picker.
    await a.getByTestId('attach-input').setInputFiles({ name: 'photo.png', mimeType: 'image/png', buffer: PNG });
    // Dropped onto the room.
    const drop = await a.evaluateHandle((bytes) => {
      const dt = new DataTransfer();
      dt.items.add(new File([new Uint8Array(bytes)], 'report.pdf', { type: 'application/pdf' }));
      return dt;
    }, [...PDF]);
    const pane = a.getByTestId('chat-pane');
    await pane.dispatchEvent('dragenter', { dataTransfer: drop });
    await pane.dispatchEvent('dragover', { dataTransfer: drop });
    await pane.dispatchEvent('drop', { dataTransfer: drop });
    await poll(async () => {
      const states = await a.getByTestId('attach-chip').evaluateAll((els) => els.map((e) => e.dataset.status));
      assert.deepEqual(states, ['done', 'done']);
    });
    await a.getByTestId('composer').fill('two files');
    await shot(a, 'attachments-composer');
    await a.getByTestId('composer').press('Enter');
    await poll(async () => assert.equal(await a.getByTestId('attach-chip').count(), 0));

    const b = bob.page;
    const row = b.getByTestId('message').filter({ hasText: 'two files' });
    await row.waitFor();
    const img = row.getByTestId('attach-image').locator('img');
    await img.waitFor();
    await poll(async () => assert.ok(await img.evaluate((el) => el.complete && el.naturalWidth > 0), 'thumbnail loaded'));
    const card = row.getByTestId('attach-file');
    assert.match(await card.innerText(), /report\.pdf/);
    await shot(b, 'attachments-message');

    // The gallery view shows the full image.
    await row.getByTestId('attach-image').click();
    const box = b.getByTestId('lightbox');
    await box.waitFor();
    await poll(async () => assert.ok(await box.locator('img').evaluate((el) => el.complete && el.naturalWidth === 320)));
    await shot(b, 'attachments-lightbox');
    await b.keyboard.press('Escape');
    await box.waitFor({ state: 'detached' });

    // Download the PDF through its link, and the image by its URL.
    const [download] = await Promise.all([b.waitForEvent('download'), card.getByTestId('attach-download').click()]);
    assert.equal(download.suggestedFilename(), 'report.pdf');
    const saved = await download.path();
    assert.deepEqual(fs.readFileSync(saved), PDF);
    const imageUrl = await row.getByTestId('attach-image').locator('img').getAttribute('src');
    const fullUrl = imageUrl.replace(/\/thumbnail$/, '');
    const got = await bob.context.request.get(fullUrl);
    assert.equal(got.status(), 200);
    assert.deepEqual(Buffer.from(await got.body()), PNG);
    assert.equal(got.headers()['content-type'], 'image/png');
    const pdfUrl = await card.getByTestId('attach-download').getAttribute('href');

    // An outsider: 404 for both.
    for (const u of [fullUrl, pdfUrl, imageUrl]) {
      const r = await eve.context.request.get(u);
      assert.equal(r.status(), 404, u);
    }
    assertNoErrors(assert, alice, bob, eve);
  });
});
