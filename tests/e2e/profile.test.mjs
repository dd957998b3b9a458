// profile.test.mjs - what the original app had (issue 12) in the browser:
// the landing page for signed-out visitors (no 401 logged), sign-up with a
// display name and the password twice, sign-in with the e-mail address,
// profile cards from the member list and from a message author (with the
// Offline section and the member menu), the username change with its live
// check, the card preview and the unsaved-changes bar, and signing out
// without an uncaught error.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { env, PASSWORD, unique } from '../lib/api.mjs';
import { closeDb, sql } from '../lib/db.mjs';
import { apiJson, assertNoErrors, closeAll, launch, messageByText, openUser, poll, sendMessage, shot, signupApi } from './lib.mjs';

describe('profiles, sign-up and sign-in in the browser', () => {
  let browser;
  let ann;
  let ben;
  const consoleAll = []; // every console message of ann's first page, benign or not

  before(async () => {
    browser = await launch();
    ann = await openUser(browser, 'ann');
    ben = await openUser(browser, 'ben');
    ann.page.on('console', (m) => consoleAll.push(`${m.type()}: ${m.text()}`));
  });

  after(async () => {
    await closeAll(browser, ann, ben);
    await closeDb();
  });

  test('a signed-out visitor sees the landing page at / and no 401 is logged', async () => {
    // A public group to peek at.
    await signupApi(ben, unique('ben'));
    const g = await apiJson(ben, 'POST', '/api/groups', { name: unique('Peek'), is_public: true, description: 'come in' });
    const { page } = ann;
    await page.goto('/');
    await page.getByTestId('landing').waitFor();
    await poll(async () => assert.ok(await page.locator(`[data-testid=landing-group][data-group-id="${g.id}"]`).count() === 1
      || await page.getByTestId('landing-group').count() === 6));
    assert.equal(new URL(page.url()).pathname, '/');
    await shot(page, 'landing');
    const logged401 = consoleAll.filter((l) => /401/.test(l));
    assert.deepEqual(logged401, [], 'no 401 in the console of a signed-out page');
    await page.getByTestId('landing-signup').click();
    await page.getByTestId('signup-form').waitFor();
  });

  test('sign-up with a display name; the two passwords must agree; common passwords refused', async () => {
    const { page } = ann;
    const form = page.getByTestId('signup-form');
    const username = unique('ann');
    ann.email = `${username}@example.org`;
    await form.getByLabel('Username', { exact: true }).fill(username);
    await poll(async () => assert.equal(await page.getByTestId('username-check').getAttribute('data-state'), 'available'));
    await form.getByLabel('Display name').fill('Ann Example');
    await form.getByLabel('Email').fill(ann.email);
    // By name: a field's error text becomes part of its label's name.
    const pw = form.locator('input[name=password]');
    const pw2 = form.locator('input[name=password2]');
    await pw.fill(PASSWORD);
    await pw2.fill(`${PASSWORD}x`);
    await page.getByTestId('password2-error').waitFor();
    await page.getByTestId('signup-submit').click();
    assert.equal(new URL(page.url()).pathname, '/signup', 'a mismatch is not sent');
    // A common password: the server's field message is shown.
    await pw.fill('password123');
    await pw2.fill('password123');
    await page.getByTestId('signup-submit').click();
    await poll(async () => assert.match(await form.innerText(), /most common passwords/));
    // That refusal was a 400 on purpose: not an error of the page.
    ann.errors = ann.errors.filter((e) => !/status of 400/.test(e));
    await pw.fill(PASSWORD);
    await pw2.fill(PASSWORD);
    await page.getByTestId('signup-submit').click();
    await page.getByTestId('user-menu-button').waitFor();
    ann.user = (await apiJson(ann, 'GET', '/api/auth/me')).user;
    assert.equal(ann.user.profile.full_name, 'Ann Example');
    // A taken name is said so while typing (on a fresh sign-up page).
    const other = await ann.context.browser().newContext({ baseURL: env.baseUrl });
    const p2 = await other.newPage();
    await p2.goto('/signup');
    await p2.getByTestId('signup-form').getByLabel('Username', { exact: true }).fill(username.toUpperCase());
    await poll(async () => assert.equal(await p2.getByTestId('username-check').getAttribute('data-state'), 'taken'));
    await other.close();
  });

  test('profile cards from the member list and a message author; Offline section; member menu', async () => {
    const { page } = ann;
    // Ann makes a group; Ben joins; Ben's bio and wallpaper show on his card.
    const g = await apiJson(ann, 'POST', '/api/groups', { name: unique('Cards'), is_public: true });
    ann.group = g;
    await apiJson(ben, 'PATCH', '/api/users/me', { full_name: 'Ben Bio', bio: 'I write about <b>tea</b>.', gender: 'Non-binary' });
    await apiJson(ben, 'POST', `/api/groups/${g.id}/join`);
    await apiJson(ben, 'POST', `/api/rooms/${g.topics[0].rooms[0].id}/messages`, { text: 'hello from ben' });
    await page.goto(`/g/${g.id}`);
    await page.getByTestId('chat-pane').waitFor();
    // Ben has no open page: he is in the Offline section.
    const offline = page.getByTestId('member-section-offline');
    await poll(async () => assert.equal(await offline.locator(`[data-testid=member][data-user-id="${ben.user.id}"]`).count(), 1));
    await offline.locator(`[data-user-id="${ben.user.id}"]`).getByTestId('member-button').click();
    const card = page.getByTestId('profile-card');
    await card.waitFor();
    assert.equal(await card.getByTestId('profile-card-name').innerText(), 'Ben Bio');
    assert.equal(await card.getByTestId('profile-card-username').innerText(), `@${ben.user.username}`);
    assert.equal(await card.getByTestId('profile-card-bio').innerText(), 'I write about <b>tea</b>.');
    assert.equal(await card.getByTestId('profile-card-gender').innerText(), 'Non-binary');
    assert.equal(await card.getByTestId('profile-card-status').innerText(), 'Offline');
    assert.match(await card.getByTestId('profile-card-role').innerText(), /Member/);
    assert.match(await card.getByTestId('profile-card-since').innerText(), /\d{4}/);
    assert.match(await card.getByTestId('profile-card-wallpaper').getAttribute('style'), /url\(/);
    // Another user's card offers a direct message (issue 13, the DM itself
    // is tested in dms.test.mjs).
    assert.equal(await card.getByTestId('profile-card-message').count(), 1, 'a Message button on another user\'s card');
    await shot(page, 'profile-card');
    await page.keyboard.press('Escape');
    await card.waitFor({ state: 'detached' });
    // From the message author.
    await messageByText(page, 'hello from ben').getByTestId('message-author').click();
    await card.waitFor();
    assert.equal(await card.getByTestId('profile-card-name').innerText(), 'Ben Bio');
    await page.keyboard.press('Escape');
    // Right-click a member: the owner may make him moderator or kick him.
    const row = page.locator(`[data-testid=member][data-user-id="${ben.user.id}"]`).getByTestId('member-button');
    await row.click({ button: 'right' });
    await page.getByTestId('member-menu-role-moderator').click();
    await poll(async () => {
      const r = await sql('SELECT role FROM group_members WHERE group_id = $1 AND user_id = $2', [g.id, ben.user.id]);
      assert.equal(r[0].role, 'moderator');
    });
    // The keyboard opens the same menu.
    await row.focus();
    await page.keyboard.press('Shift+F10');
    await page.getByTestId('member-menu-profile').waitFor();
    await page.keyboard.press('Escape');
    assertNoErrors(assert, ann, ben);
  });

  test('settings: username change with its live check, card preview, unsaved-changes bar', async () => {
    const { page } = ann;
    await page.goto('/settings');
    const form = page.getByTestId('profile-form');
    await form.waitFor();
    assert.equal(await page.getByTestId('unsaved-bar').count(), 0);
    // A taken name (Ben's, in another case) is flagged; Save is disabled.
    await page.getByTestId('profile-username').fill(ben.user.username.toUpperCase());
    await poll(async () => assert.equal(await page.getByTestId('username-check').getAttribute('data-state'), 'taken'));
    assert.equal(await page.getByTestId('profile-save').isDisabled(), true);
    // Reset brings everything back.
    await page.getByTestId('profile-full-name').fill('Preview Name');
    const preview = page.getByTestId('profile-preview');
    assert.equal(await preview.getByTestId('profile-card-name').innerText(), 'Preview Name');
    await page.getByTestId('profile-reset').click();
    await page.getByTestId('unsaved-bar').waitFor({ state: 'detached' });
    assert.equal(await page.getByTestId('profile-username').inputValue(), ann.user.username);
    assert.equal(await preview.getByTestId('profile-card-name').innerText(), 'Ann Example');
    // A free name and a bio: previewed live, then saved.
    const fresh = unique('annnew');
    await page.getByTestId('profile-username').fill(fresh);
    await poll(async () => assert.equal(await page.getByTestId('username-check').getAttribute('data-state'), 'available'));
    await page.getByTestId('profile-bio').fill('Reads a lot.');
    assert.equal(await preview.getByTestId('profile-card-bio').innerText(), 'Reads a lot.');
    assert.equal(await preview.getByTestId('profile-card-username').innerText(), `@${fresh}`);
    await shot(page, 'settings-preview');
    await page.getByTestId('profile-save').click();
    await page.getByTestId('unsaved-bar').waitFor({ state: 'detached' });
    const rows = await sql('SELECT u.username, p.bio FROM users u JOIN profiles p ON p.user_id = u.id WHERE u.id = $1', [ann.user.id]);
    assert.deepEqual(rows[0], { username: fresh, bio: 'Reads a lot.' });
    ann.user.username = fresh;
    assertNoErrors(assert, ann);
  });

  test('rail menu: mark a group read, no leave for the owner; a new room opens; room tooltips', async () => {
    const { page } = ann;
    const g2 = await apiJson(ben, 'POST', '/api/groups', { name: unique('Rail'), is_public: true });
    await apiJson(ann, 'POST', `/api/groups/${g2.id}/join`);
    await page.goto(`/g/${ann.group.id}`);
    await page.getByTestId('chat-pane').waitFor();
    const room2 = g2.topics[0].rooms[0].id;
    await apiJson(ben, 'POST', `/api/rooms/${room2}/messages`, { text: 'unread for ann' });
    const item = page.locator(`[data-testid=group-rail-item][data-group-id="${g2.id}"]`);
    await poll(async () => assert.equal(await item.getAttribute('data-unread'), 'true'));
    await item.click({ button: 'right' });
    assert.equal(await page.getByTestId('rail-menu-leave').count(), 1, 'a member may leave');
    assert.equal(await page.getByTestId('rail-menu-invite').count(), 0, 'a member does not invite');
    await page.getByTestId('rail-menu-read').click();
    await poll(async () => assert.equal(await item.getAttribute('data-unread'), 'false'));
    const marks = await sql('SELECT last_read_id FROM read_markers WHERE room_id = $1 AND user_id = $2', [room2, ann.user.id]);
    assert.equal(marks.length, 1);
    // Her own group: invite and settings, no leave (the owner cannot).
    const own = page.locator(`[data-testid=group-rail-item][data-group-id="${ann.group.id}"]`);
    await own.focus();
    await page.keyboard.press('Shift+F10');
    await page.getByTestId('rail-menu-settings').waitFor();
    assert.equal(await page.getByTestId('rail-menu-leave').count(), 0);
    await page.keyboard.press('Escape');
    // A new room opens at once; its description is the link's tooltip.
    const topic = ann.group.topics[0];
    await page.getByRole('button', { name: `Topic options for ${topic.name}` }).click();
    await page.getByTestId('room-create').click();
    const before = page.url();
    await page.getByRole('dialog').getByRole('textbox').fill('reading');
    await page.getByRole('dialog').getByRole('button', { name: 'Create' }).click();
    await page.waitForURL((u) => u.toString() !== before && /\/r\/\d+$/.test(u.pathname));
    const newRoom = Number(page.url().match(/\/r\/(\d+)$/)[1]);
    const rows = await sql('SELECT name FROM rooms WHERE id = $1', [newRoom]);
    assert.equal(rows[0].name, 'reading');
    await apiJson(ann, 'PATCH', `/api/rooms/${newRoom}`, { description: 'books we read' });
    const link = page.locator(`[data-testid=room-item][data-room-id="${newRoom}"]`);
    await poll(async () => assert.equal(await link.getAttribute('title'), '#reading — books we read'));
    // Same name again (any case): the server's 409 message is shown.
    await page.getByRole('button', { name: `Topic options for ${topic.name}` }).click();
    await page.getByTestId('room-create').click();
    await page.getByRole('dialog').getByRole('textbox').fill('READING');
    await page.getByRole('dialog').getByRole('button', { name: 'Create' }).click();
    await poll(async () => assert.match(await page.getByRole('dialog').innerText(), /already has a room with this name/));
    await page.keyboard.press('Escape');
    // That 409 was on purpose.
    ann.errors = ann.errors.filter((e) => !/status of 409/.test(e));
    assertNoErrors(assert, ann);
  });

  test('sign out without an uncaught error, then sign in with the e-mail address', async () => {
    const { page } = ann;
    await page.goto(`/g/${ann.group.id}`);
    await page.getByTestId('chat-pane').waitFor();
    await sendMessage(page, 'before signing out');
    await page.getByTestId('user-menu-button').click();
    await page.getByTestId('logout').click();
    await page.getByTestId('login-form').waitFor();
    const form = page.getByTestId('login-form');
    await form.getByLabel('Username or e-mail').fill(ann.email.toUpperCase());
    await form.getByLabel('Password').fill(PASSWORD);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('user-menu-button').waitFor();
    assert.equal((await apiJson(ann, 'GET', '/api/auth/me')).user.id, ann.user.id);
    assertNoErrors(assert, ann);
  });
});
