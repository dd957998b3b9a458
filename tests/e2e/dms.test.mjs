// dms.test.mjs - mentions, direct messages and blocking between two
// browsers against the real stack: a completed @mention shows as a badge
// and in the inbox of the person mentioned, highlighted in the room; a DM
// opened from the member list carries messages both ways live; blocking
// collapses the blocked user's messages and refuses their DMs.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { env, unique } from '../lib/api.mjs';
import { closeDb, sql } from '../lib/db.mjs';
import {
  apiJson, assertNoErrors, closeAll, launch, messageByText, openUser, poll,
  sendMessage, shot, signupApi,
} from './lib.mjs';

describe('mentions, direct messages and blocking in the browser', () => {
  let browser;
  let alice;
  let bob;
  const st = {};

  before(async () => {
    browser = await launch();
    alice = await openUser(browser, 'alice');
    bob = await openUser(browser, 'bob');
    await signupApi(alice, unique('alice'));
    await signupApi(bob, unique('bob'));
    await apiJson(alice, 'PATCH', '/api/users/me', { full_name: 'Alice Liddell' });
    await apiJson(bob, 'PATCH', '/api/users/me', { full_name: 'Bob Builder' });
    const g = await apiJson(alice, 'POST', '/api/groups', { name: unique('Club'), is_public: true });
    await apiJson(bob, 'POST', `/api/groups/${g.id}/join`, {});
    st.group = g.id;
    st.room = g.topics[0].rooms[0].id;
  });

  after(async () => {
    await closeAll(browser, alice, bob);
    await closeDb();
  });

  test('mention with the composer completion; the badge, the inbox and the highlight', async () => {
    await alice.page.goto(`/g/${st.group}/r/${st.room}`);
    await bob.page.goto('/directory');
    await bob.page.getByTestId('rail-mentions').waitFor();
    const box = alice.page.getByTestId('composer');
    await box.click();
    await box.pressSequentially(`hey @${bob.user.username.slice(0, 5)}`);
    const option = alice.page.getByTestId('mention-suggest-item').filter({ hasText: `@${bob.user.username}` });
    await option.waitFor();
    await box.press('Enter'); // takes the completion, does not send
    await poll(async () => assert.equal(await box.inputValue(), `hey @${bob.user.username} `));
    await box.pressSequentially('look at this');
    await box.press('Enter');
    const text = `hey @${bob.user.username} look at this`;
    await messageByText(alice.page, text).waitFor();
    const [m] = await sql('SELECT id FROM messages WHERE room_id = $1 AND text = $2', [st.room, text]);
    const rows = await sql('SELECT user_id FROM mentions WHERE message_id = $1', [m.id]);
    assert.deepEqual(rows.map((r) => Number(r.user_id)), [bob.user.id]);

    // Bob, elsewhere, sees the group's mention badge arrive live.
    const badge = bob.page.locator(`[data-testid=group-rail-item][data-group-id="${st.group}"] ~ [data-testid=mention-badge]`);
    await poll(async () => assert.equal(await badge.getAttribute('data-count'), '1'));
    await shot(bob.page, 'mention-badge');
    // The inbox lists it and opens it in its room, highlighted as his.
    await bob.page.getByTestId('rail-mentions').click();
    const item = bob.page.locator(`[data-testid=mention-item][data-message-id="${m.id}"]`);
    await item.waitFor();
    await shot(bob.page, 'mentions-inbox');
    await item.locator('a').click();
    await bob.page.waitForURL(new RegExp(`/g/${st.group}/r/${st.room}\\?m=${m.id}$`));
    const msg = bob.page.locator(`[data-testid=message][data-message-id="${m.id}"]`);
    await msg.waitFor();
    assert.equal(await msg.getAttribute('data-mentions-me'), 'true');
    assert.equal(await msg.getByTestId('mention-self').innerText(), `@${bob.user.username}`);
    // Read: the badge goes.
    await poll(async () => assert.equal(await badge.count(), 0));
    assertNoErrors(assert, alice, bob);
  });

  test('open a DM from the member list and talk both ways', async () => {
    await bob.page.goto(`/g/${st.group}/r/${st.room}`);
    const row = bob.page.locator(`[data-testid=member][data-user-id="${alice.user.id}"]`);
    await row.getByTestId('user-actions').click();
    await bob.page.getByTestId('user-message').click();
    await bob.page.waitForURL(/\/dm\/\d+$/);
    st.dm = Number(bob.page.url().match(/\/dm\/(\d+)$/)[1]);
    await poll(async () => assert.equal(await bob.page.getByTestId('room-title').innerText(), 'Alice Liddell'));
    await alice.page.goto(`/g/${st.group}/r/${st.room}`);
    await alice.page.getByTestId('composer').waitFor();
    await sendMessage(bob.page, 'hi Alice, privately');
    await messageByText(bob.page, 'hi Alice, privately').waitFor();

    // Alice sees the unread count on the rail's Direct messages entry.
    await poll(async () => assert.equal(await alice.page.getByTestId('rail-dms-unread').innerText(), '1'));
    // Still 1 once the conversation list (refetched on the new conversation's
    // membership event) and the message's event have both come: the message
    // is not counted twice.
    await alice.page.waitForTimeout(500);
    assert.equal(await alice.page.getByTestId('rail-dms-unread').innerText(), '1');
    await alice.page.getByTestId('rail-dms').click();
    const entry = alice.page.locator(`[data-testid=dm-item][data-conversation-id="${st.dm}"]`);
    await entry.click();
    await messageByText(alice.page, 'hi Alice, privately').waitFor();
    await sendMessage(alice.page, 'hello Bob');
    await messageByText(bob.page, 'hello Bob').waitFor();
    await shot(alice.page, 'dm');
    // Opening it again from the other side finds the same conversation.
    const again = await apiJson(alice, 'POST', '/api/users/me/conversations', { user_ids: [bob.user.id] });
    assert.equal(again.id, st.dm);
    assertNoErrors(assert, alice, bob);
  });

  test('block: their messages collapse in shared rooms and their DMs are refused', async (t) => {
    if (st.dm === undefined) return t.skip('no DM from the previous step');
    await alice.page.goto(`/g/${st.group}/r/${st.room}`);
    const row = alice.page.locator(`[data-testid=member][data-user-id="${bob.user.id}"]`);
    await row.getByTestId('user-actions').click();
    await alice.page.getByTestId('user-block').click();
    await poll(async () => assert.equal((await sql('SELECT count(*) AS n FROM blocks WHERE user_id = $1 AND blocked_id = $2',
      [alice.user.id, bob.user.id]))[0].n, '1'));
    await bob.page.goto(`/g/${st.group}/r/${st.room}`);
    await sendMessage(bob.page, 'can you see me');
    const collapsed = alice.page.getByTestId('blocked-message');
    await collapsed.waitFor();
    assert.equal(await messageByText(alice.page, 'can you see me').count(), 0);
    await collapsed.getByTestId('blocked-show').click();
    await messageByText(alice.page, 'can you see me').waitFor();
    // Bob's post in the DM is refused by the server, and nothing is stored.
    const [conv] = await sql('SELECT room_id FROM conversations WHERE group_id = $1', [st.dm]);
    const res = await bob.context.request.post(`/api/rooms/${conv.room_id}/messages`, {
      data: { text: 'let me in' }, headers: { Origin: env.origin } });
    assert.equal(res.status(), 403);
    assert.equal((await sql("SELECT count(*) AS n FROM messages WHERE room_id = $1 AND text = 'let me in'", [conv.room_id]))[0].n, '0');
    // Unblock from the same menu.
    await row.getByTestId('user-actions').click();
    await alice.page.getByTestId('user-unblock').click();
    await poll(async () => assert.equal((await sql('SELECT count(*) AS n FROM blocks WHERE user_id = $1', [alice.user.id]))[0].n, '0'));
    assertNoErrors(assert, alice, bob);
  });
});
