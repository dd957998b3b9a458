// chat.test.mjs - two people in two browser contexts against the real
// stack: sign up through the UI, create a group, invite and join through a
// copied link, live messages, the typing indicator, presence when a page
// closes, and message search that opens the hit in its room. The main
// flows run again at phone size (390x844, touch), where the rail and the
// room list are in the navigation drawer and the members in a sheet; the
// typing and presence checks run at desktop size only (the same code, and
// CI time).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { env, unique } from '../lib/api.mjs';
import { closeDb, redis, sql } from '../lib/db.mjs';
import {
  apiJson, assertNoErrors, closeAll, launch, messageByText, openUser, poll,
  sendMessage, shot, signupUI, WAIT,
} from './lib.mjs';

after(closeDb);

for (const size of ['desktop', 'phone']) {
  describe(`two users chatting in the browser at ${size} size`, () => {
    const phone = size === 'phone';
    // The flows that run at both sizes, and those at desktop size only.
    const both = test;
    const desktopOnly = phone ? () => undefined : test;
    /** A screenshot name: the desktop's as before, the phone's apart from layout.test's phone-*. */
    const shotName = (n) => (phone ? `chat-phone-${n}` : n);
    let browser;
    let alice;
    let bob;
    const st = {}; // what earlier steps established: group, room, invite, messages

    before(async () => {
      browser = await launch();
      alice = await openUser(browser, 'alice', { phone });
      bob = await openUser(browser, 'bob', { phone });
      await alice.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: env.origin });
    });

    after(async () => {
      await closeAll(browser, alice, bob);
    });

    /** Clicks a control of the rail or the room list: on a phone they are
     * in the navigation drawer, opened first. */
    async function navClick(page, testId) {
      const toggle = page.getByTestId('open-nav');
      if (phone && (await toggle.getAttribute('aria-expanded')) !== 'true') await toggle.click();
      await page.getByTestId(testId).click();
    }

    /** On a phone, closes the navigation drawer if a dialog left it open. */
    async function closeNav(page) {
      if (!phone || (await page.getByTestId('open-nav').getAttribute('aria-expanded')) !== 'true') return;
      await page.keyboard.press('Escape');
      await page.locator('.sidebar').waitFor({ state: 'hidden' });
    }

    /** Skips the rest when a step they build on failed. */
    function needs(t, ...keys) {
      for (const k of keys) if (st[k] === undefined) t.skip(`an earlier step failed (no ${k})`);
      return keys.every((k) => st[k] !== undefined);
    }

    both('sign up through the UI', async () => {
      await alice.page.goto('/login');
      await alice.page.getByTestId('login-form').waitFor();
      await shot(alice.page, shotName('login'));
      // From the log-in page to the sign-up page by its link, as a person would.
      await alice.page.getByRole('link', { name: 'Sign up' }).click();
      await alice.page.getByTestId('signup-form').waitFor();
      const ua = await signupUI(alice, unique('alice'));
      const ub = await signupUI(bob, unique('bob'));
      for (const [s, u] of [[alice, ua], [bob, ub]]) {
        const rows = await sql('SELECT username FROM users WHERE id = $1', [u.id]);
        assert.equal(rows[0]?.username, s.user.username);
        assert.equal(await s.page.getByTestId('user-menu-button').getAttribute('aria-label'),
          `Account menu for ${s.user.username}`);
      }
      st.users = true;
      assertNoErrors(assert, alice, bob);
    });

    both('create a group', async (t) => {
      if (!needs(t, 'users')) return;
      const { page } = alice;
      const name = `Book Club ${unique('').slice(1, 7)}`;
      await navClick(page, 'create-group-button');
      await page.getByTestId('create-group-dialog').waitFor();
      await page.getByTestId('create-group-name').fill(name);
      // Private: only the invite link lets the second user in.
      await page.getByTestId('create-group-dialog').getByLabel('Public (listed in the directory)').uncheck();
      await page.getByTestId('create-group-submit').click();
      await page.waitForURL(/\/g\/\d+\/r\/\d+$/);
      await closeNav(page);
      const [, gid, rid] = page.url().match(/\/g\/(\d+)\/r\/(\d+)$/);
      // (On a phone the group's name is in the closed drawer: its text, not its rendering.)
      const groupName = page.getByTestId('group-name');
      await poll(async () => assert.equal(phone ? (await groupName.textContent()).trim() : await groupName.innerText(), name));
      const rows = await sql(`SELECT g.name, g.is_public, m.role FROM groups g JOIN group_members m ON m.group_id = g.id
        WHERE g.id = $1 AND m.user_id = $2`, [gid, alice.user.id]);
      assert.deepEqual(rows, [{ name, is_public: false, role: 'owner' }]);
      const item = page.locator(`[data-testid=group-rail-item][data-group-id="${gid}"]`);
      assert.equal(await item.getAttribute('aria-current'), 'page');
      assert.equal(await page.getByTestId('chat-pane').getAttribute('data-room-id'), rid);
      // Full names make the typing indicator and the screenshots read well; the
      // page is reloaded once so the relay connection carries the name.
      await apiJson(alice, 'PATCH', '/api/users/me', { full_name: 'Alice Liddell' });
      await page.reload();
      await page.getByTestId('composer').waitFor();
      st.group = { id: Number(gid), name, room: Number(rid) };
      assertNoErrors(assert, alice);
    });

    both('create an invite link, copy it, and the second user joins with it', async (t) => {
      if (!needs(t, 'group')) return;
      const { page } = alice;
      await navClick(page, 'invite-button');
      await page.getByTestId('invite-dialog').waitFor();
      await page.getByTestId('invite-create').click();
      const link = await page.getByTestId('invite-link').inputValue();
      assert.match(link, new RegExp(`^${env.origin}/invite/[A-Za-z0-9_-]+$`));
      await page.getByTestId('invite-copy').click();
      await poll(async () => assert.equal(await page.getByTestId('invite-copy').innerText(), 'Copied!'));
      assert.equal(await page.evaluate(() => navigator.clipboard.readText()), link);
      const code = link.split('/').pop();
      const inv = await sql('SELECT group_id FROM invites WHERE code = $1', [code]);
      assert.equal(Number(inv[0]?.group_id), st.group.id);
      await page.keyboard.press('Escape');
      await page.getByTestId('invite-dialog').waitFor({ state: 'detached' });
      await closeNav(page);

      await bob.page.goto(link);
      await bob.page.getByTestId('invite-preview').waitFor();
      assert.equal(await bob.page.getByTestId('invite-group-name').innerText(), st.group.name);
      await bob.page.getByTestId('invite-accept').click();
      await bob.page.waitForURL(new RegExp(`/g/${st.group.id}/r/${st.group.room}$`));
      const rows = await sql('SELECT role FROM group_members WHERE group_id = $1 AND user_id = $2',
        [st.group.id, bob.user.id]);
      assert.deepEqual(rows, [{ role: 'member' }]);
      await apiJson(bob, 'PATCH', '/api/users/me', { full_name: 'Bob Builder' });
      await bob.page.reload();
      await bob.page.getByTestId('composer').waitFor();
      // Alice's member list learns about Bob without a reload (member.joined);
      // on a phone it is a sheet, opened by its button and closed by Escape.
      if (phone) await alice.page.getByTestId('open-members').click();
      await alice.page.locator(`[data-testid=member][data-user-id="${bob.user.id}"]`).waitFor();
      if (phone) {
        await shot(alice.page, shotName('members-sheet'));
        // A tap beside the sheet closes it.
        await alice.page.getByTestId('panel-backdrop').click({ position: { x: 10, y: 400 } });
        await alice.page.getByTestId('member-list').waitFor({ state: 'hidden' });
      }
      st.joined = true;
      assertNoErrors(assert, alice, bob);
    });

    desktopOnly('the typing indicator shows and clears', async (t) => {
      if (!needs(t, 'joined')) return;
      const indicator = alice.page.getByTestId('typing-indicator');
      const active = (v) => alice.page.locator(`[data-testid=typing-indicator][data-active="${v}"]`);
      assert.equal(await indicator.getAttribute('data-active'), 'false');
      const box = bob.page.getByTestId('composer');
      await box.pressSequentially('I am wri', { delay: 20 });
      await active('true').waitFor();
      assert.equal(await indicator.innerText(), 'Bob Builder is typing…');
      // Emptying the composer stops typing at once (not after the 8 s expiry).
      await box.fill('');
      await active('false').waitFor({ timeout: 4000 });
      assert.equal(await indicator.innerText(), '');
      // Typing again and sending clears it too. (Exactly four typing frames:
      // the relay drops more than four in its 2 s window, stops included.)
      await box.pressSequentially('Done typing', { delay: 20 });
      await active('true').waitFor();
      await box.press('Enter');
      await active('false').waitFor({ timeout: 4000 });
      await messageByText(alice.page, 'Done typing').waitFor();
      assertNoErrors(assert, alice, bob);
    });

    both('a message typed by one appears live for the other', async (t) => {
      if (!needs(t, 'joined')) return;
      // A marker that a reload would wipe: the message must come without one.
      await bob.page.evaluate(() => { window.__e2eNoReload = true; });
      await alice.page.evaluate(() => { window.__e2eNoReload = true; });
      const word = `kumquat${Date.now().toString(36)}`;
      const lines = [
        [alice, `Hello Bob! Did you bring the ${word}?`],
        [bob, 'Hi Alice, yes, a whole crate of them.'],
        [alice, 'Great, see you in the lounge.'],
      ];
      for (const [s, text] of lines) {
        await sendMessage(s.page, text);
        const other = s === alice ? bob : alice;
        await messageByText(other.page, text).waitFor({ timeout: WAIT });
        await messageByText(s.page, text).waitFor();
      }
      const rows = await sql('SELECT id, text, sender_id FROM messages WHERE room_id = $1 ORDER BY id',
        [st.group.room]);
      assert.deepEqual(rows.map((r) => r.text), [...(phone ? [] : ['Done typing']), ...lines.map(([, text]) => text)]);
      for (const s of [alice, bob]) {
        const shown = await s.page.getByTestId('message').evaluateAll((els) =>
          els.map((e) => [Number(e.dataset.messageId), e.dataset.sender]));
        assert.deepEqual(shown, rows.map((r) => [Number(r.id),
          Number(r.sender_id) === alice.user.id ? alice.user.username : bob.user.username]));
        assert.equal(await s.page.evaluate(() => window.__e2eNoReload), true, 'the page was reloaded');
        assert.equal(await s.page.getByTestId('message-pending').count(), 0);
      }
      st.searchWord = word;
      st.searchId = Number(rows.find((r) => r.text === lines[0][1]).id);
      await shot(bob.page, shotName('chat'));
      assertNoErrors(assert, alice, bob);
    });

    desktopOnly('the presence dot goes offline when the other closes the page', async (t) => {
      if (!needs(t, 'joined')) return;
      const row = (v) => bob.page.locator(
        `[data-testid=member][data-user-id="${alice.user.id}"] [data-testid=presence-dot][data-online="${v}"]`);
      await row('true').waitFor();
      await bob.page.locator(`[data-testid=member][data-user-id="${bob.user.id}"][data-online="true"]`).waitFor();
      assertNoErrors(assert, alice);
      await alice.page.close();
      await row('false').waitFor();
      await shot(bob.page, 'members');
      assert.equal(await bob.page.locator(`[data-testid=member][data-user-id="${alice.user.id}"]`)
        .getAttribute('data-online'), 'false');
      // The relay dropped her presence key too (she had one connection).
      const r = await redis();
      try {
        assert.equal(await r.exists(`online:${alice.user.id}`), 0);
      } finally {
        await r.quit();
      }
      assertNoErrors(assert, bob);
    });

    both('search finds a message and opens it highlighted in its room', async (t) => {
      if (!needs(t, 'searchWord')) return;
      const probe = await bob.context.request.get(`/api/search/messages?q=${st.searchWord}`);
      if (probe.status() === 404) {
        t.skip('the search program does not answer /api/search/messages yet');
        return;
      }
      const { page } = bob;
      // Somewhere else first, so opening the hit really navigates.
      await navClick(page, 'rail-directory');
      await page.waitForURL(/\/directory$/);
      await navClick(page, 'rail-search');
      await page.getByTestId('search-input').fill(st.searchWord);
      await page.getByTestId('search-submit').click();
      const hit = page.locator(`[data-testid=search-result][data-message-id="${st.searchId}"]`);
      await hit.waitFor();
      assert.equal(await hit.getAttribute('data-room-id'), String(st.group.room));
      assert.equal(await page.getByTestId('search-result').count(), 1);
      assert.match(await hit.locator('mark').first().innerText(), new RegExp(st.searchWord, 'i'));
      await shot(page, shotName('search'));
      await hit.click();
      await page.waitForURL(new RegExp(`/g/${st.group.id}/r/${st.group.room}`));
      const target = page.locator(`[data-testid=message][data-message-id="${st.searchId}"]`);
      await target.waitFor();
      await poll(async () => assert.match(await target.getAttribute('class'), /\bhighlighted\b/));
      assert.ok(await target.isVisible());
      assertNoErrors(assert, bob);
    });
  });
}
