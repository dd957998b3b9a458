// relay-restart.test.mjs - the relay is killed and restarted while messages
// are posted (REST during the outage, one typed in the UI, more right after
// the restart): both windows reconnect by themselves, catch up with
// after=<last id>, and end with every message of the room exactly once, in
// the database's order, without a page reload.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { stack, unique } from '../lib/api.mjs';
import { closeDb, sql } from '../lib/db.mjs';
import {
  apiJson, assertNoErrors, closeAll, launch, messageByText, messageIds, openUser,
  poll, sendMessage, signupApi,
} from './lib.mjs';

describe('relay restart', () => {
  let browser;
  let alice;
  let bob;
  let relayDown = false;

  before(async () => {
    browser = await launch();
    alice = await openUser(browser, 'alice');
    bob = await openUser(browser, 'bob');
    await signupApi(alice, unique('alice'));
    await signupApi(bob, unique('bob'));
  });

  after(async () => {
    if (relayDown) { try { stack('relay-start', 0); } catch { /* reported by the test */ } }
    await closeAll(browser, alice, bob);
    await closeDb();
  });

  test('both windows end with every message exactly once', async () => {
    const group = await apiJson(alice, 'POST', '/api/groups', { name: unique('Outage'), is_public: false });
    const room = group.topics[0].rooms[0].id;
    const invite = await apiJson(alice, 'POST', `/api/groups/${group.id}/invites`, {});
    await apiJson(bob, 'POST', `/api/invites/${invite.code}/accept`);
    const post = (s, text) => apiJson(s, 'POST', `/api/rooms/${room}/messages`, { text });
    const dbIds = async () => (await sql('SELECT id FROM messages WHERE room_id = $1 ORDER BY id', [room]))
      .map((r) => Number(r.id));

    const pages = [alice.page, bob.page];
    for (const page of pages) {
      await page.goto(`/g/${group.id}/r/${room}`);
      await page.getByTestId('composer').waitFor();
      await page.evaluate(() => { window.__e2eNoReload = true; });
    }
    // Both are connected: a REST post shows up live in both windows.
    await post(alice, 'before the outage');
    for (const page of pages) await messageByText(page, 'before the outage').waitFor();

    stack('relay-kill', 0);
    relayDown = true;
    for (const page of pages) await page.getByTestId('connection-status').waitFor();
    for (let i = 1; i <= 4; i++) await post(alice, `during the outage ${i}`);
    // One typed in a window: REST works without the relay.
    await sendMessage(bob.page, 'typed during the outage');
    await messageByText(bob.page, 'typed during the outage').waitFor();
    assert.equal(await bob.page.getByTestId('message-pending').count(), 0);

    stack('relay-start', 0);
    relayDown = false;
    for (let i = 1; i <= 3; i++) await post(alice, `after the restart ${i}`);

    const want = await dbIds();
    assert.equal(want.length, 9);
    for (const [i, page] of pages.entries()) {
      await page.getByTestId('connection-status').waitFor({ state: 'detached', timeout: 40000 });
      await poll(async () => assert.deepEqual(await messageIds(page), want,
        `window ${i} should show each message once`), { timeout: 20000 });
    }
    // The relay really delivers again (not only the catch-up fetch).
    await post(bob, 'live again');
    const all = await dbIds();
    for (const [i, page] of pages.entries()) {
      await messageByText(page, 'live again').waitFor();
      await poll(async () => assert.deepEqual(await messageIds(page), all, `window ${i}`));
      assert.equal(await page.evaluate(() => window.__e2eNoReload), true, 'the page was reloaded');
    }
    assertNoErrors(assert, alice, bob);
  });
});
