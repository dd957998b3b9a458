// keyboard.test.mjs - a room used with the keyboard alone: Up in the empty composer edits one's last message, Escape
// cancels, every message action (reply, edit, copy link, delete) is reachable with Tab and by shortcut on a focused
// message, focus comes back to a sensible place after the editor and the dialog, and the composer shows a focus ring.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { env, newUser, unique } from '../lib/api.mjs';
import { closeDb, sql } from '../lib/db.mjs';
import {
  apiJson, assertNoErrors, closeAll, launch, messageByText, openUser, poll, signupApi,
} from './lib.mjs';

describe('messages with the keyboard alone', () => {
  let browser;
  let s;
  const st = {};

  before(async () => {
    browser = await launch();
    s = await openUser(browser, 'kim');
    await s.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: env.origin });
    await signupApi(s, unique('kim'));
    const g = await apiJson(s, 'POST', '/api/groups', { name: `Keys ${unique('').slice(1, 7)}` });
    st.group = g.id;
    st.room = g.topics[0].rooms[0].id;
    // Someone else writes too, so "my last message" is not simply the last one.
    const other = await newUser({ username: unique('lee') });
    const inv = await apiJson(s, 'POST', `/api/groups/${g.id}/invites`, {});
    await other.post(`/api/invites/${inv.code}/accept`);
    st.first = await apiJson(s, 'POST', `/api/rooms/${st.room}/messages`, { text: 'first of mine' });
    st.mine = await apiJson(s, 'POST', `/api/rooms/${st.room}/messages`, { text: 'my last message' });
    const theirs = await other.post(`/api/rooms/${st.room}/messages`, { text: 'their message' });
    assert.equal(theirs.status, 201, theirs.text);
    st.theirs = theirs.json;
  });

  after(async () => {
    await closeAll(browser, s);
    await closeDb();
  });

  const active = () => s.page.evaluate(() => {
    const el = document.activeElement;
    return el?.dataset.testid === 'message' ? `message:${el.dataset.messageId}` : el?.dataset.testid || el?.tagName;
  });

  test('the composer has a visible focus ring', async () => {
    const { page } = s;
    await page.goto(`/g/${st.group}/r/${st.room}`);
    await messageByText(page, 'their message').waitFor();
    const box = page.getByTestId('composer');
    await box.focus();
    const ring = await page.locator('.composer-row').evaluate((el) => getComputedStyle(el).boxShadow);
    assert.notEqual(ring, 'none', 'the composer row shows a ring while the composer has focus');
    await page.getByTestId('chat-pane').click({ position: { x: 5, y: 5 } });
    assert.equal(await page.locator('.composer-row').evaluate((el) => getComputedStyle(el).boxShadow), 'none');
  });

  test('Up in the empty composer edits my last message; Enter saves, Escape cancels; focus comes back', async () => {
    const { page } = s;
    const box = page.getByTestId('composer');
    await box.focus();
    await page.keyboard.press('ArrowUp');
    const editor = page.getByTestId('message-edit-input');
    await editor.waitFor();
    assert.equal(await editor.inputValue(), 'my last message');
    assert.equal(await active(), 'message-edit-input');
    assert.equal(await editor.evaluate((el) => el.closest('[data-testid=message]').dataset.messageId), String(st.mine.id));
    await page.keyboard.press('End');
    await page.keyboard.type(' (edited by keys)');
    await page.keyboard.press('Enter');
    await editor.waitFor({ state: 'detached' });
    await poll(async () => assert.equal((await sql('SELECT text FROM messages WHERE id = $1', [st.mine.id]))[0].text,
      'my last message (edited by keys)'));
    await poll(async () => assert.equal(await active(), 'composer'));

    // Escape: nothing is saved, back in the composer.
    await page.keyboard.press('ArrowUp');
    await editor.waitFor();
    await page.keyboard.type(' never saved');
    await page.keyboard.press('Escape');
    await editor.waitFor({ state: 'detached' });
    await poll(async () => assert.equal(await active(), 'composer'));
    assert.equal((await sql('SELECT text FROM messages WHERE id = $1', [st.mine.id]))[0].text, 'my last message (edited by keys)');
    // Up with text in the composer moves the caret, it does not edit.
    await page.keyboard.type('draft');
    await page.keyboard.press('ArrowUp');
    assert.equal(await editor.count(), 0);
    await box.fill('');
    assertNoErrors(assert, s);
  });

  test('every action of a message is reachable with Tab, and by shortcut', async () => {
    const { page } = s;
    // From the composer back into the list.
    await page.getByTestId('composer').focus();
    for (let i = 0; i < 10 && !(await active()).startsWith('message:'); i++) await page.keyboard.press('Shift+Tab');
    assert.match(await active(), /^message:/);
    // Arrows move between messages; the last one is theirs, above it mine.
    await page.locator(`[data-testid=message][data-message-id="${st.theirs.id}"]`).focus();
    await page.keyboard.press('ArrowUp');
    assert.equal(await active(), `message:${st.mine.id}`);

    // Tab walks the toolbar of the focused message (the group's owner may
    // also pin; reactions and pins: issue 13).
    const seen = [];
    for (let i = 0; i < 6; i++) {
      await page.keyboard.press('Tab');
      seen.push(await active());
    }
    assert.deepEqual(seen, ['message-reply', 'message-react', 'message-pin', 'message-edit', 'message-copy-link', 'message-delete']);

    // Copy link: Enter on the button.
    await page.keyboard.press('Shift+Tab');
    assert.equal(await active(), 'message-copy-link');
    await page.keyboard.press('Enter');
    await poll(async () => assert.equal(await page.evaluate(() => navigator.clipboard.readText()),
      `${env.origin}/room/${st.room}?m=${st.mine.id}`));

    // R on a focused message replies (focus to the composer), Escape cancels the reply.
    await page.locator(`[data-testid=message][data-message-id="${st.theirs.id}"]`).focus();
    await page.keyboard.press('r');
    await page.getByTestId('reply-preview').waitFor();
    assert.equal(await active(), 'composer');
    await page.keyboard.press('Escape');
    await page.getByTestId('reply-preview').waitFor({ state: 'detached' });

    // E on my message edits; Escape gives focus back to the message.
    const mine = page.locator(`[data-testid=message][data-message-id="${st.mine.id}"]`);
    await mine.focus();
    await page.keyboard.press('e');
    await page.getByTestId('message-edit-input').waitFor();
    await page.keyboard.press('Escape');
    await poll(async () => assert.equal(await active(), `message:${st.mine.id}`));
    // E on theirs does nothing (not mine to edit).
    await page.locator(`[data-testid=message][data-message-id="${st.theirs.id}"]`).focus();
    await page.keyboard.press('e');
    assert.equal(await page.getByTestId('message-edit-input').count(), 0);
    assertNoErrors(assert, s);
  });

  test('Delete asks first; Escape returns to the message, confirming returns to the composer', async () => {
    const { page } = s;
    const first = page.locator(`[data-testid=message][data-message-id="${st.first.id}"]`);
    await first.focus();
    await page.keyboard.press('Delete');
    const dialog = page.getByTestId('confirm-dialog');
    await dialog.waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    assert.equal(await active(), `message:${st.first.id}`);

    await page.keyboard.press('Delete');
    await dialog.waitFor();
    // Cancel has the focus; Tab to Delete and press it.
    await page.keyboard.press('Tab');
    assert.equal(await active(), 'confirm-ok');
    await page.keyboard.press('Enter');
    await first.waitFor({ state: 'detached' });
    await poll(async () => assert.ok((await sql('SELECT deleted_at FROM messages WHERE id = $1', [st.first.id]))[0]?.deleted_at
      ?? (await sql('SELECT count(*)::int AS n FROM messages WHERE id = $1', [st.first.id]))[0].n === 0));
    await poll(async () => assert.equal(await active(), 'composer'));
    assertNoErrors(assert, s);
  });
});
