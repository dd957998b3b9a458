// reactions.test.mjs - issue 13 items 1, 3 and 4 in two browsers: a
// formatted message renders (bold, spoiler, code) and its link opens in a
// new tab; a reaction picked in one browser shows live with its count in
// the other, and toggles; :shortcode: completion in the composer; a pin
// by the owner shows in the other member's room header at once.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { unique } from '../lib/api.mjs';
import { closeDb } from '../lib/db.mjs';
import {
  apiJson, assertNoErrors, closeAll, launch, openUser, poll, sendMessage, shot, signupApi,
} from './lib.mjs';

// Thumbs up as the picker's dataset (and so the server) spells it.
const THUMBS = '👍\uFE0F';

describe('formatting, reactions and pins', () => {
  let browser;
  let alice;
  let bob;
  let room;
  let group;

  before(async () => {
    browser = await launch();
    alice = await openUser(browser, 'alice');
    bob = await openUser(browser, 'bob');
    await signupApi(alice, unique('alice'));
    await signupApi(bob, unique('bob'));
    await apiJson(alice, 'PATCH', '/api/users/me', { full_name: 'Alice' });
    await apiJson(bob, 'PATCH', '/api/users/me', { full_name: 'Bob' });
    const g = await apiJson(alice, 'POST', '/api/groups', { name: unique('fmt'), is_public: true });
    group = g.id;
    room = g.topics[0].rooms[0].id;
    await apiJson(bob, 'POST', `/api/groups/${group}/join`);
    for (const s of [alice, bob]) {
      await s.page.goto(`/g/${group}/r/${room}`);
      await s.page.getByTestId('composer').waitFor();
    }
  });

  after(async () => {
    await closeAll(browser, alice, bob);
    await closeDb();
  });

  const message = (page, id) => page.locator(`[data-testid=message][data-message-id="${id}"]`);

  test('a formatted message renders safely and its link opens in a new tab', async () => {
    const text = '**bold** _it_ ~~gone~~ `<b>code</b>` ||secret|| see https://example.com/docs?x=1 now';
    await sendMessage(alice.page, text);
    const row = bob.page.getByTestId('message').filter({ hasText: 'see https://example.com/docs?x=1' });
    await row.waitFor();
    assert.equal(await row.locator('strong').innerText(), 'bold');
    assert.equal(await row.locator('em').innerText(), 'it');
    assert.equal(await row.locator('del').innerText(), 'gone');
    assert.equal(await row.locator('code').innerText(), '<b>code</b>');
    assert.equal(await row.locator('[data-testid=message-text] b').count(), 0, 'markup in code stays text');
    const spoiler = row.getByTestId('spoiler');
    assert.equal(await spoiler.getAttribute('class'), 'spoiler');
    await spoiler.click();
    assert.equal(await spoiler.getAttribute('class'), 'spoiler shown');
    const link = row.getByTestId('message-text').locator('a');
    assert.equal(await link.getAttribute('href'), 'https://example.com/docs?x=1');
    assert.equal(await link.getAttribute('target'), '_blank');
    assert.equal(await link.getAttribute('rel'), 'noopener noreferrer');
    // The new tab must not reach back: stop it at the network (the test
    // machine has no Internet) and look at where it went and its opener.
    await bob.context.route('https://example.com/**', (r) => r.fulfill({ status: 200, contentType: 'text/html', body: '<title>x</title>' }));
    const [popup] = await Promise.all([bob.context.waitForEvent('page'), link.click()]);
    await popup.waitForLoadState();
    assert.equal(popup.url(), 'https://example.com/docs?x=1');
    assert.equal(await popup.evaluate(() => window.opener), null);
    await popup.close();
    assertNoErrors(assert, alice, bob);
  });

  test('a reaction shows live in the other browser and toggles', async () => {
    const m = await apiJson(alice, 'POST', `/api/rooms/${room}/messages`, { text: 'react to this' });
    const mine = message(alice.page, m.id);
    const theirs = message(bob.page, m.id);
    await theirs.waitFor();
    await theirs.hover();
    await theirs.getByTestId('message-react').click();
    const picker = bob.page.getByTestId('emoji-picker');
    await picker.waitFor();
    await picker.getByTestId('emoji-search').fill('thumbs up');
    await picker.locator(`[data-emoji="${THUMBS}"]`).click();
    await picker.waitFor({ state: 'detached' });
    const chip = (row) => row.locator(`[data-testid=reaction-chip][data-emoji="${THUMBS}"]`);
    await poll(async () => assert.equal(await chip(mine).getByTestId('reaction-count').innerText(), '1'));
    assert.equal(await chip(mine).getAttribute('aria-pressed'), 'false');
    assert.equal(await chip(theirs).getAttribute('aria-pressed'), 'true');
    await chip(mine).click();
    await poll(async () => assert.equal(await chip(theirs).getByTestId('reaction-count').innerText(), '2'));
    assert.equal(await chip(mine).getAttribute('aria-pressed'), 'true');
    await shot(alice.page, 'reactions');
    // Bob takes his back: Alice sees 1 again; the page after a reload agrees.
    await chip(theirs).click();
    await poll(async () => assert.equal(await chip(mine).getByTestId('reaction-count').innerText(), '1'));
    await alice.page.reload();
    await poll(async () => assert.equal(await chip(message(alice.page, m.id)).getAttribute('aria-pressed'), 'true'));
    assertNoErrors(assert, alice, bob);
  });

  test(':shortcode: completion puts the emoji in the composer', async () => {
    const box = alice.page.getByTestId('composer');
    await box.click();
    await box.pressSequentially('party :tad', { delay: 20 });
    const list = alice.page.getByTestId('shortcode-list');
    await list.waitFor();
    assert.match(await list.innerText(), /🎉\s*:tada:/);
    await box.press('Enter');
    assert.equal(await box.inputValue(), 'party 🎉 ');
    await box.pressSequentially('and :+1:', { delay: 20 });
    await poll(async () => assert.equal(await box.inputValue(), `party 🎉 and ${THUMBS}`));
    await box.press('Enter');
    await bob.page.getByTestId('message').filter({ hasText: `party 🎉 and ${THUMBS}` }).waitFor();
    assertNoErrors(assert, alice, bob);
  });

  test('a pin shows in the other member\'s room header at once', async () => {
    const m = await apiJson(bob, 'POST', `/api/rooms/${room}/messages`, { text: 'pin **this** one' });
    const count = bob.page.getByTestId('pins-count');
    await poll(async () => assert.equal(await count.innerText(), '0'));
    const row = message(alice.page, m.id);
    await row.waitFor();
    await row.hover();
    await row.getByTestId('message-pin').click();
    await poll(async () => assert.equal(await count.innerText(), '1'));
    await message(bob.page, m.id).getByTestId('pinned-mark').waitFor();
    // Members cannot pin: Bob has no pin button.
    await message(bob.page, m.id).hover();
    assert.equal(await message(bob.page, m.id).getByTestId('message-pin').count(), 0);
    await bob.page.getByTestId('pins-button').click();
    const item = bob.page.getByTestId('pins-item');
    await item.waitFor();
    assert.match(await item.innerText(), /pin this one/);
    assert.equal(await item.locator('strong').innerText(), 'this');
    await shot(bob.page, 'pins');
    await item.click();
    await bob.page.waitForURL(new RegExp(`m=${m.id}`));
    // Unpin: the header follows.
    await row.hover();
    await row.getByTestId('message-pin').click();
    await poll(async () => assert.equal(await count.innerText(), '0'));
    assertNoErrors(assert, alice, bob);
  });
});
