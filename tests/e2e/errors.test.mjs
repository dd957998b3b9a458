// errors.test.mjs - issue 12 defect 11 in the browser: clear error texts
// (the server's field message, what is wrong in a search operator, a wait
// in minutes), a non-image picture explained, the directory (Next goes to
// the top, icons, a preview, typo-tolerant search), search results with
// room and group names, and a deleted room that keeps the unsent text.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomInt } from 'node:crypto';
import { env, newUser, unique } from '../lib/api.mjs';
import { closeDb, sql } from '../lib/db.mjs';
import { apiJson, assertNoErrors, closeAll, launch, openUser, poll, shot, signupApi } from './lib.mjs';

/** A made-up word without digits (typo tolerance skips words with digits). */
function word(n = 10) {
  const letters = 'bcdfghjklmnpqrstvwxz';
  const vowels = 'aeiou';
  let w = '';
  for (let i = 0; i < n; i++) w += i % 2 ? vowels[randomInt(5)] : letters[randomInt(20)];
  return w;
}

describe('error texts and the smaller fixes of defect 11', () => {
  let browser;
  let dee;

  before(async () => {
    browser = await launch();
    dee = await openUser(browser, 'dee');
    await signupApi(dee, unique('dee'));
  });

  after(async () => {
    await closeAll(browser, dee);
    await closeDb();
  });

  test('settings: a non-image file is explained; a wrong current password shows the server field message', async () => {
    const { page } = dee;
    await page.goto('/settings');
    const file = path.join(os.tmpdir(), `not-a-picture-${process.pid}.png`);
    fs.writeFileSync(file, 'this is text, not a picture\n');
    await page.getByTestId('icon-upload-input').setInputFiles(file);
    const err = page.getByTestId('icon-upload-error');
    await err.waitFor();
    assert.match(await err.innerText(), /not a picture/);
    assert.equal(await page.getByTestId('crop-dialog').count(), 0, 'no empty crop dialog');
    fs.unlinkSync(file);

    const form = page.getByTestId('password-form');
    await form.getByLabel('Current password', { exact: true }).fill('not my password');
    await form.getByLabel('New password', { exact: true }).fill('a brand new secret');
    await form.getByLabel('Repeat new password', { exact: true }).fill('a brand new secret');
    await page.getByTestId('password-save').click();
    await poll(async () => assert.match(await form.innerText(), /Current password is not your current password/));
    // That 400 was asked for: not an error of the page.
    dee.errors = dee.errors.filter((e) => !/status of 400/.test(e));
    assertNoErrors(assert, dee);
  });

  test('a locked sign-in says the wait in minutes', async () => {
    const victim = await newUser();
    for (let i = 0; i < 10; i++) {
      await fetch(`${env.baseUrl}/api/auth/token`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ username: victim.user.username, password: 'wrong password' }) });
    }
    const ctx = await browser.newContext({ baseURL: env.baseUrl });
    const page = await ctx.newPage();
    await page.goto('/login');
    const form = page.getByTestId('login-form');
    await form.getByLabel('Username or e-mail').fill(victim.user.username);
    await form.getByLabel('Password').fill('wrong password');
    await page.getByTestId('login-submit').click();
    const err = page.getByTestId('auth-error');
    await err.waitFor();
    assert.match(await err.innerText(), /try again in 1[45] minutes/);
    assert.doesNotMatch(await err.innerText(), /\d{3} s/);
    await ctx.close();
  });

  test('search: an operator error says what is wrong; results name their room and group', async () => {
    const { page } = dee;
    const g = await apiJson(dee, 'POST', '/api/groups', { name: unique('Where') });
    const w = word(9);
    await apiJson(dee, 'POST', `/api/rooms/${g.topics[0].rooms[0].id}/messages`, { text: `the ${w} arrived` });
    await page.goto(`/search?q=${encodeURIComponent('before:yesterday')}`);
    await poll(async () => assert.match(await page.getByRole('alert').first().innerText(), /YYYY-MM-DD/));
    dee.errors = dee.errors.filter((e) => !/status of 400/.test(e));
    await page.goto(`/search?q=${w}`);
    const where = page.getByTestId('search-result-where').first();
    await where.waitFor();
    assert.equal(await where.innerText(), `#${g.topics[0].rooms[0].name} · ${g.name}`);
    assertNoErrors(assert, dee);
  });

  test('directory: typo-tolerant search, group icons, a preview that joins, Next back to the top', async () => {
    const { page } = dee;
    const owner = await newUser();
    const w = word(10);
    const made = [];
    for (let i = 0; i < 32; i++) {
      const res = await owner.post('/api/groups', { name: unique('Dir'), description: `about ${w}`, is_public: true });
      assert.equal(res.status, 201, res.text);
      made.push(res.json);
    }
    await page.goto('/directory');
    // One letter swapped: the server's typo-tolerant search still finds them.
    const typo = w.slice(0, 4) + w[5] + w[4] + w.slice(6);
    await page.getByTestId('directory-search').fill(typo);
    // Wait for the search's own page: until it arrives the directory's
    // first page (any 30 public groups) stays on screen, and a Next
    // clicked then would be undone when the debounced search starts.
    const madeIds = new Set(made.map((g) => g.id));
    const shownIds = () => page.getByTestId('directory-group')
      .evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-group-id'))));
    await poll(async () => {
      const ids = await shownIds();
      assert.equal(ids.length, 30);
      assert.ok(ids.every((id) => madeIds.has(id)), 'the search results are shown');
    });
    const first = page.getByTestId('directory-group').first();
    assert.equal(await first.getByTestId('directory-icon').count(), 1);
    // Next: the page scrolls back to the top.
    const main = page.getByTestId('directory');
    await main.evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
    assert.ok(await main.evaluate((el) => el.scrollTop) > 0, 'the list is longer than the window');
    await page.getByTestId('directory-next').click();
    await poll(async () => assert.equal(await page.getByTestId('directory-group').count(), 2));
    assert.equal(await main.evaluate((el) => el.scrollTop), 0);
    // A card opens the group's preview, which joins.
    const target = page.getByTestId('directory-group').first();
    const gid = Number(await target.getAttribute('data-group-id'));
    await target.getByTestId('directory-preview-open').click();
    const preview = page.getByTestId('group-preview');
    await preview.waitFor();
    assert.match(await preview.innerText(), new RegExp(w));
    await shot(page, 'directory-preview');
    await preview.getByTestId('group-preview-join').click();
    await page.waitForURL(new RegExp(`/g/${gid}(/r/\\d+)?$`));
    assert.ok(made.some((g) => g.id === gid));
    assertNoErrors(assert, dee);
  });

  test('a room deleted while one is in it: said so, the unsent text kept', async () => {
    const { page } = dee;
    const g = await apiJson(dee, 'POST', '/api/groups', { name: unique('Doomed') });
    const extra = await apiJson(dee, 'POST', `/api/topics/${g.topics[0].id}/rooms`, { name: 'doomed-room' });
    await page.goto(`/g/${g.id}/r/${extra.id}`);
    await page.getByTestId('chat-pane').waitFor();
    await page.getByRole('textbox', { name: 'Message #doomed-room' }).fill('half a thought');
    await apiJson(dee, 'DELETE', `/api/rooms/${extra.id}`);
    const notice = page.getByTestId('lost-notice');
    await notice.waitFor();
    assert.match(await notice.innerText(), /#doomed-room was deleted/);
    assert.equal(await page.getByTestId('lost-draft').inputValue(), 'half a thought');
    await page.getByTestId('lost-dismiss').click();
    await notice.waitFor({ state: 'detached' });
    // A request of the room's own that crossed the deletion got a 404:
    // that answer is right, and not an error of the app.
    const gone = new RegExp(`status of 404 .*/api/rooms/${extra.id}(/|\\?|$)`);
    dee.errors = dee.errors.filter((e) => !gone.test(e));
    assertNoErrors(assert, dee);
  });

  test('no caps: more than 100 groups in the rail, more than 100 members page in', async () => {
    const { page } = dee;
    const tag = unique('cap').slice(0, 20);
    // Made in SQL: the point is the list sizes, not the sign-ups.
    await sql(`WITH g AS (INSERT INTO groups (name, is_public)
        SELECT $1 || '-' || i, false FROM generate_series(1, 105) i RETURNING id)
      INSERT INTO group_members (group_id, user_id, role) SELECT id, $2, 'member' FROM g`, [tag, dee.user.id]);
    const big = await apiJson(dee, 'POST', '/api/groups', { name: `${tag}-big` });
    await sql(`WITH u AS (INSERT INTO users (username) SELECT $1 || '_' || i FROM generate_series(1, 120) i RETURNING id),
        p AS (INSERT INTO profiles (user_id) SELECT id FROM u)
      INSERT INTO group_members (group_id, user_id, role) SELECT $2, id, 'member' FROM u`, [tag, big.id]);
    await page.goto(`/g/${big.id}`);
    await page.getByTestId('chat-pane').waitFor();
    await poll(async () => assert.ok(await page.getByTestId('group-rail-item').count() >= 107));
    const members = page.getByTestId('member-list').getByTestId('member');
    await poll(async () => assert.equal(await members.count(), 100));
    await page.getByTestId('members-more').click();
    await poll(async () => assert.equal(await members.count(), 121));
    assert.equal(await page.getByTestId('members-more').count(), 0);
    assertNoErrors(assert, dee);
  });
});
