// layout.test.mjs - every main screen at 1280x800 and at 390x844 (a phone, with touch): usable, no sideways scrolling,
// axe-core without serious or critical violations, 44 px touch targets on the phone, one pane at a time there (the
// navigation drawer and the members sheet), the composer above the on-screen keyboard; screenshots of each screen
// (tests/artifacts/screenshots/{desktop,phone}-*.png).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { newUser, unique } from '../lib/api.mjs';
import { closeDb, sql } from '../lib/db.mjs';
import {
  apiJson, assertNoErrors, closeAll, launch, messageByText, openUser, poll, sendMessage, shot, signupApi,
} from './lib.mjs';
import { axeViolations, horizontalOverflow, smallTargets } from './a11y.mjs';

/** Where the owner's public group, its room and an invite are (made through the API). */
async function makeGroup() {
  const owner = await newUser({ username: unique('owner') });
  await owner.patch('/api/users/me', { full_name: 'Olive Owner' });
  const g = await owner.post('/api/groups', { name: `Layout ${unique('').slice(1, 7)}`, is_public: true,
    description: 'A group for the layout tests' });
  assert.equal(g.status, 201, g.text);
  const room = g.json.topics[0].rooms[0].id;
  for (const text of ['Welcome to the layout test group!', 'Phones are people too.',
    'A long line without spaces: ' + 'x'.repeat(120)]) {
    const m = await owner.post(`/api/rooms/${room}/messages`, { text });
    assert.equal(m.status, 201, m.text);
  }
  const inv = await owner.post(`/api/groups/${g.json.id}/invites`, {});
  assert.equal(inv.status, 201, inv.text);
  return { owner, id: g.json.id, name: g.json.name, room, code: inv.json.code };
}

after(closeDb);

for (const size of ['desktop', 'phone']) {
  describe(`the main screens at ${size} size`, () => {
    const phone = size === 'phone';
    let browser;
    let s;
    let g;

    before(async () => {
      browser = await launch();
      s = await openUser(browser, size, { phone });
      g = await makeGroup();
    });

    after(async () => {
      await closeAll(browser, s);
    });

    /** The checks of every screen, then its screenshot. */
    async function screen(name) {
      const { page } = s;
      await page.evaluate(() => document.fonts.ready);
      assert.deepEqual(await horizontalOverflow(page), [], `${name}: sideways scrolling`);
      if (phone) assert.deepEqual(await smallTargets(page), [], `${name}: touch targets under 44 px`);
      assert.deepEqual(await axeViolations(page), [], `${name}: axe-core`);
      await shot(page, `${size}-${name}`);
    }

    test('signed out: sign-in, sign-up and the invite page', async () => {
      const { page } = s;
      await page.goto('/login');
      await page.getByTestId('login-form').waitFor();
      await screen('login');
      await page.goto('/signup');
      const form = page.getByTestId('signup-form');
      await form.waitFor();
      // The whole card is on screen (it was clipped at 390 px).
      const box = await page.locator('.auth-card').boundingBox();
      assert.ok(box.x >= 0 && box.x + box.width <= page.viewportSize().width, JSON.stringify(box));
      await screen('signup');
      await page.goto(`/invite/${g.code}`);
      await page.getByTestId('invite-preview').waitFor();
      assert.equal(await page.getByTestId('invite-group-name').innerText(), g.name);
      assert.ok(await page.getByTestId('invite-login').isVisible());
      await screen('invite');
      assertNoErrors(assert, s);
    });

    test('join by the invite and chat', async () => {
      const { page } = s;
      await signupApi(s, unique(size));
      await page.goto(`/invite/${g.code}`);
      await page.getByTestId('invite-accept').click();
      await page.waitForURL(new RegExp(`/g/${g.id}/r/${g.room}$`));
      await messageByText(page, 'Phones are people too.').waitFor();
      const pane = page.getByTestId('chat-pane');
      assert.ok(await pane.isVisible());
      const paneBox = await pane.boundingBox();
      if (phone) {
        // One pane: the chat takes the whole width; rail, rooms and members are put away.
        assert.equal(Math.round(paneBox.width), page.viewportSize().width);
        for (const sel of ['.rail', '.sidebar', '[data-testid=member-list]']) {
          assert.equal(await page.locator(sel).isVisible(), false, `${sel} is hidden`);
        }
      } else {
        for (const sel of ['.rail', '.sidebar', '[data-testid=member-list]']) {
          assert.ok(await page.locator(sel).isVisible(), `${sel} is shown`);
        }
        assert.equal(await page.getByTestId('open-nav').isVisible(), false);
      }
      await sendMessage(page, `Hello from a ${size}`);
      await messageByText(page, `Hello from a ${size}`).waitFor();
      await poll(async () => assert.equal((await sql(
        'SELECT count(*)::int AS n FROM messages WHERE room_id = $1 AND sender_id = $2', [g.room, s.user.id]))[0].n, 1));
      await screen('chat');
      assertNoErrors(assert, s);
    });

    test('phone: the navigation drawer and the members sheet, one at a time', async (t) => {
      if (!phone) {
        t.skip('the desktop shows every pane at once (checked above)');
        return;
      }
      const { page } = s;
      const toggle = page.getByTestId('open-nav');
      await toggle.click();
      await page.locator('.sidebar').waitFor({ state: 'visible' });
      assert.ok(await page.locator('.rail').isVisible());
      assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
      // Focus moves into the drawer (the current room).
      await poll(async () => assert.equal(await page.evaluate(() => document.activeElement?.closest('.sidebar, .rail') !== null), true));
      await page.waitForTimeout(300); // the slide-in
      await screen('drawer');
      // Escape closes it and gives the focus back to the button.
      await page.keyboard.press('Escape');
      await page.locator('.sidebar').waitFor({ state: 'hidden' });
      assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'open-nav');
      // Choosing a screen in the drawer closes it.
      await toggle.click();
      await page.getByTestId('rail-directory').click();
      await page.waitForURL(/\/directory$/);
      await page.locator('.rail').waitFor({ state: 'hidden' });
      await page.goBack();
      await page.getByTestId('composer').waitFor();

      await page.getByTestId('open-members').click();
      const members = page.getByTestId('member-list');
      await members.waitFor({ state: 'visible' });
      await page.locator(`[data-testid=member][data-user-id="${g.owner.user.id}"]`).waitFor();
      await page.waitForTimeout(300);
      await screen('members');
      // A tap beside the sheet closes it.
      await page.getByTestId('panel-backdrop').click({ position: { x: 10, y: 400 } });
      await members.waitFor({ state: 'hidden' });
      assertNoErrors(assert, s);
    });

    test('phone: the composer stays above the on-screen keyboard', async (t) => {
      if (!phone) {
        t.skip('no on-screen keyboard on the desktop');
        return;
      }
      const { page } = s;
      const box = page.getByTestId('composer');
      await box.focus();
      // The keyboard takes the lower part of the screen: the visual viewport shrinks.
      await page.setViewportSize({ width: 390, height: 480 });
      try {
        await poll(async () => {
          const r = await box.boundingBox();
          const vh = await page.evaluate(() => window.visualViewport.height);
          assert.ok(r && r.y + r.height <= vh + 0.5 && r.y > 0, `composer ${JSON.stringify(r)} in ${vh}`);
        });
        assert.ok(await messageByText(page, `Hello from a ${size}`).isVisible());
        await shot(page, `${size}-keyboard`);
      } finally {
        await page.setViewportSize({ width: 390, height: 844 });
      }
    });

    test('directory, search, settings and group settings', async () => {
      const { page } = s;
      await page.goto('/directory');
      await page.getByTestId('directory-search').waitFor();
      await page.getByTestId('directory-group').first().waitFor();
      await screen('directory');

      await page.goto('/search');
      await page.getByTestId('search-input').fill('phones');
      await page.getByTestId('search-submit').click();
      await page.getByTestId('search-result').first().waitFor();
      await screen('search');

      await page.goto('/settings');
      await page.getByTestId('profile-form').waitFor();
      await screen('settings');

      // Group settings of a group of one's own.
      const own = await apiJson(s, 'POST', '/api/groups', { name: `Mine ${unique('').slice(1, 7)}` });
      await page.goto(`/g/${own.id}/settings`);
      await page.getByTestId('group-profile-form').waitFor();
      await screen('group-settings');
      assertNoErrors(assert, s);
    });
  });
}
