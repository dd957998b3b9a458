// moderation.test.mjs - issue 13 item 7 in the browser: the owner bans a
// member from the group settings and the member fails to rejoin through
// the invite link; slow mode set in the settings refuses a member's second
// message; the audit log lists both.  Where moderators are: a moderator
// times out a member from the member list's menu and the member's composer
// says so at once; slow mode from the room's menu; the same actions on the
// profile card.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { unique } from '../lib/api.mjs';
import { closeDb, sql } from '../lib/db.mjs';
import {
  apiJson, assertNoErrors, closeAll, launch, messageByText, openUser, poll, sendMessage, shot, signupApi,
} from './lib.mjs';

/** The refusals these scenarios provoke on purpose are logged by Chromium. */
function dropExpected(s, statuses) {
  const re = new RegExp(`status of (${statuses.join('|')})`);
  s.errors = s.errors.filter((e) => !re.test(e));
}

describe('moderation', () => {
  let browser;
  let owner;
  let bob;
  let carol;
  let group;

  before(async () => {
    browser = await launch();
    owner = await openUser(browser, 'owner');
    bob = await openUser(browser, 'bob');
    carol = await openUser(browser, 'carol');
    await signupApi(owner, unique('own'));
    await signupApi(bob, unique('bob'));
    await signupApi(carol, unique('carol'));
    group = await apiJson(owner, 'POST', '/api/groups', { name: unique('modg').slice(0, 30), is_public: true });
    await apiJson(bob, 'POST', `/api/groups/${group.id}/join`, {});
    await apiJson(carol, 'POST', `/api/groups/${group.id}/join`, {});
  });

  after(async () => {
    await closeAll(browser, owner, bob, carol);
    await closeDb();
  });

  test('a banned member cannot rejoin by the invite link', async () => {
    const invite = await apiJson(owner, 'POST', `/api/groups/${group.id}/invites`, {});
    const { page } = owner;
    await page.goto(`/g/${group.id}/settings`);
    await page.getByRole('button', { name: `Ban ${bob.user.username}` }).click();
    await page.getByTestId('confirm-ok').click();
    await page.locator(`[data-testid=ban-row][data-user-id="${bob.user.id}"]`).waitFor();
    await page.locator(`[data-testid=member-admin-row][data-user-id="${bob.user.id}"]`).waitFor({ state: 'detached' });
    assert.equal((await sql('SELECT 1 FROM group_members WHERE group_id = $1 AND user_id = $2', [group.id, bob.user.id])).length, 0);
    await shot(page, 'moderation-bans');

    await bob.page.goto(`/invite/${invite.code}`);
    await bob.page.getByTestId('invite-accept').click();
    const alert = bob.page.getByRole('alert');
    await poll(async () => assert.match(await alert.innerText(), /banned/i));
    assert.equal((await sql('SELECT 1 FROM group_members WHERE group_id = $1 AND user_id = $2', [group.id, bob.user.id])).length, 0);
    await shot(bob.page, 'moderation-banned-invite');
    dropExpected(bob, [403]);
    assertNoErrors(assert, owner, bob);
  });

  test('slow mode refuses a second message; the audit log shows the steps', async () => {
    const room = group.topics[0].rooms[0];
    const { page } = owner;
    await page.goto(`/g/${group.id}/settings`);
    const [res] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'PUT' && r.url().endsWith(`/api/rooms/${room.id}/slow-mode`)),
      page.getByLabel(`Slow mode of #${room.name}`).selectOption('30'),
    ]);
    assert.equal(res.status(), 200);

    await carol.page.goto(`/g/${group.id}/r/${room.id}`);
    await carol.page.getByTestId('composer').waitFor();
    await sendMessage(carol.page, 'first under slow mode');
    await messageByText(carol.page, 'first under slow mode').waitFor();
    await sendMessage(carol.page, 'second too soon');
    const failed = carol.page.locator('[data-testid=message-pending][data-status=failed]');
    await failed.waitFor();
    assert.match(await failed.getByRole('alert').innerText(), /slow mode/i);
    await shot(carol.page, 'moderation-slow-mode');
    const rows = await sql('SELECT text FROM messages WHERE room_id = $1 ORDER BY id', [room.id]);
    assert.deepEqual(rows.map((r) => r.text), ['first under slow mode']);

    await page.reload();
    const audit = page.getByTestId('audit-entry');
    await poll(async () => assert.deepEqual(
      await audit.evaluateAll((els) => els.map((e) => e.dataset.action)),
      ['room.slow_mode', 'member.ban', 'invite.create'],
    ));
    await shot(page, 'moderation-audit-log');
    dropExpected(carol, [429]);
    assertNoErrors(assert, owner, carol);
  });
});

describe('moderation where moderators are', () => {
  let browser;
  let owner;
  let mia;
  let max;
  let group;

  before(async () => {
    browser = await launch();
    owner = await openUser(browser, 'owner2');
    mia = await openUser(browser, 'mia');
    max = await openUser(browser, 'max');
    await signupApi(owner, unique('own'));
    await signupApi(mia, unique('mia'));
    await signupApi(max, unique('max'));
    group = await apiJson(owner, 'POST', '/api/groups', { name: unique('modm').slice(0, 30), is_public: true });
    await apiJson(mia, 'POST', `/api/groups/${group.id}/join`, {});
    await apiJson(max, 'POST', `/api/groups/${group.id}/join`, {});
    await apiJson(owner, 'PATCH', `/api/groups/${group.id}/members/${mia.user.id}`, { role: 'moderator' });
  });

  after(async () => {
    await closeAll(browser, owner, mia, max);
    await closeDb();
  });

  test("a moderator times out a member from the member menu; the member's composer says so", async () => {
    const room = group.topics[0].rooms[0];
    await max.page.goto(`/g/${group.id}/r/${room.id}`);
    const composer = max.page.getByTestId('composer');
    await composer.waitFor();
    assert.equal(await composer.isDisabled(), false);

    const { page } = mia;
    await page.goto(`/g/${group.id}/r/${room.id}`);
    const row = page.locator(`[data-testid=member][data-user-id="${max.user.id}"]`).getByTestId('member-button');
    await row.click({ button: 'right' });
    // A moderator may not ban or time out the owner, but may a member.
    await page.getByTestId('member-menu-timeout').click();
    const dialog = page.getByTestId('timeout-dialog');
    await dialog.getByTestId('timeout-duration').selectOption(String(60 * 60));
    await dialog.getByTestId('timeout-ok').click();
    await dialog.waitFor({ state: 'detached' });
    const [r] = await sql('SELECT extract(epoch FROM timed_out_until - now()) AS s FROM group_members WHERE group_id = $1 AND user_id = $2', [group.id, max.user.id]);
    assert.ok(Number(r.s) > 3500 && Number(r.s) <= 3600, String(r.s));

    // The member learns it live: the composer says so and takes no text.
    const notice = max.page.getByTestId('composer-timed-out');
    await notice.waitFor();
    assert.match(await notice.innerText(), /timed out until/i);
    assert.equal(await composer.isDisabled(), true);
    await shot(max.page, 'moderation-timed-out-composer');

    // The menu now offers to lift it; the owner's row offers neither.
    await row.click({ button: 'right' });
    await page.getByTestId('member-menu-lift-timeout').waitFor();
    await page.keyboard.press('Escape');
    await page.locator(`[data-testid=member][data-user-id="${owner.user.id}"]`).getByTestId('member-button').click({ button: 'right' });
    await page.getByTestId('member-menu-profile').waitFor();
    assert.equal(await page.getByTestId('member-menu-timeout').count(), 0);
    assert.equal(await page.getByTestId('member-menu-ban').count(), 0);
    await page.keyboard.press('Escape');
    assertNoErrors(assert, mia, max);
  });

  test('a moderator sets slow mode from the room menu', async () => {
    const room = group.topics[0].rooms[0];
    const { page } = mia;
    await page.goto(`/g/${group.id}/r/${room.id}`);
    await page.locator(`[data-testid=room-item][data-room-id="${room.id}"]`).click({ button: 'right' });
    await page.getByTestId('room-slow-mode').click();
    const dialog = page.getByTestId('slow-mode-dialog');
    await dialog.getByTestId('slow-mode-select').selectOption('30');
    await dialog.getByTestId('slow-mode-ok').click();
    await dialog.waitFor({ state: 'detached' });
    const [r] = await sql('SELECT slow_mode_seconds FROM rooms WHERE id = $1', [room.id]);
    assert.equal(r.slow_mode_seconds, 30);
    // A plain member's room menu has only what members may do (the
    // notification settings), no slow mode.
    await max.page.goto(`/g/${group.id}/r/${room.id}`);
    await max.page.getByTestId('composer').waitFor();
    await max.page.getByRole('button', { name: `Room options for ${room.name}` }).click();
    await max.page.getByTestId('room-notify').waitFor();
    assert.equal(await max.page.getByTestId('room-slow-mode').count(), 0);
    await max.page.keyboard.press('Escape');
    assertNoErrors(assert, mia, max);
  });

  test("the profile card offers a moderator the member menu's moderation, on lower roles only", async () => {
    const room = group.topics[0].rooms[0];
    const { page } = mia;
    await page.goto(`/g/${group.id}/r/${room.id}`);
    const until = async () => (await sql('SELECT COALESCE(timed_out_until > now(), false) AS on FROM group_members WHERE group_id = $1 AND user_id = $2', [group.id, max.user.id]))[0]?.on;
    assert.equal(await until(), true); // from the first test
    const card = page.getByTestId('profile-card-dialog');

    // The owner's card: only "Message".
    await page.locator(`[data-testid=member][data-user-id="${owner.user.id}"]`).getByTestId('member-button').click();
    await card.getByTestId('profile-card-message').waitFor();
    assert.equal(await card.getByTestId('profile-card-timeout').count(), 0);
    assert.equal(await card.getByTestId('profile-card-lift-timeout').count(), 0);
    assert.equal(await card.getByTestId('profile-card-ban').count(), 0);
    await page.keyboard.press('Escape');
    await card.waitFor({ state: 'detached' });

    // The timed-out member's card: lift it, time out again, then ban.
    await page.locator(`[data-testid=member][data-user-id="${max.user.id}"]`).getByTestId('member-button').click();
    await card.getByTestId('profile-card-lift-timeout').click();
    await poll(async () => assert.equal(await until(), false));
    await card.getByTestId('profile-card-timeout').click();
    const dialog = page.getByTestId('timeout-dialog');
    await dialog.getByTestId('timeout-duration').selectOption(String(5 * 60));
    await dialog.getByTestId('timeout-ok').click();
    await dialog.waitFor({ state: 'detached' });
    const [r] = await sql('SELECT extract(epoch FROM timed_out_until - now()) AS s FROM group_members WHERE group_id = $1 AND user_id = $2', [group.id, max.user.id]);
    assert.ok(Number(r.s) > 240 && Number(r.s) <= 300, String(r.s));
    await card.getByTestId('profile-card-lift-timeout').waitFor();
    await shot(page, 'moderation-profile-card');
    await card.getByTestId('profile-card-ban').click();
    await page.getByTestId('confirm-ok').click();
    await poll(async () => assert.equal((await sql('SELECT 1 FROM group_bans WHERE group_id = $1 AND user_id = $2', [group.id, max.user.id])).length, 1));
    assert.equal((await sql('SELECT 1 FROM group_members WHERE group_id = $1 AND user_id = $2', [group.id, max.user.id])).length, 0);
    assertNoErrors(assert, mia);
  });
});
