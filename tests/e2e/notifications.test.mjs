// notifications.test.mjs - desktop notifications in the open app (issue 14
// item 2) in a real browser against the real stack: with the tab hidden,
// a mention and a DM from another user each raise one Notification with
// the right title and body (the page's Notification is a recording
// stand-in: a headless browser shows none); a plain message in a group
// room at the default level raises none; clicking one opens the message;
// a room muted from its menu raises none; the tab title carries the count.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { unique } from '../lib/api.mjs';
import { closeDb } from '../lib/db.mjs';
import { apiJson, assertNoErrors, closeAll, launch, openUser, poll, shot, signupApi } from './lib.mjs';

// Before any script of the page: record notifications, and let the test
// say whether the tab is hidden.
function stubs() {
  window.__notes = [];
  window.__hidden = false;
  class RecordingNotification {
    static permission = 'granted';
    static requestPermission() { return Promise.resolve('granted'); }
    constructor(title, opts = {}) {
      this.title = title;
      this.body = opts.body;
      this.onclick = null;
      window.__notes.push(this);
    }
    close() { this.closed = true; }
  }
  window.Notification = RecordingNotification;
  Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (window.__hidden ? 'hidden' : 'visible') });
  Object.defineProperty(document, 'hidden', { configurable: true, get: () => window.__hidden });
}

const notes = (page) => page.evaluate(() => window.__notes.map((n) => ({ title: n.title, body: n.body })));

async function setHidden(page, hidden) {
  await page.evaluate((h) => {
    window.__hidden = h;
    document.dispatchEvent(new Event('visibilitychange'));
  }, hidden);
}

describe('desktop notifications', () => {
  let browser;
  let alice;
  let bob;
  const st = {};

  before(async () => {
    browser = await launch();
    alice = await openUser(browser, 'alice');
    bob = await openUser(browser, 'bob');
    await alice.context.addInitScript(stubs);
    await signupApi(alice, unique('alice'));
    await signupApi(bob, unique('bob'));
    await apiJson(bob, 'PATCH', '/api/users/me', { full_name: 'Bob Builder' });
    const g = await apiJson(alice, 'POST', '/api/groups', { name: unique('Club'), is_public: true });
    await apiJson(bob, 'POST', `/api/groups/${g.id}/join`, {});
    st.group = g.id;
    st.groupName = g.name;
    st.room = g.topics[0].rooms[0].id;
    st.roomName = g.topics[0].rooms[0].name;
    // Opened before Alice's page loads, so her first list has it (read).
    st.dm = await apiJson(bob, 'POST', '/api/users/me/conversations', { user_ids: [alice.user.id] });
  });

  after(async () => {
    await closeAll(browser, alice, bob);
    await closeDb();
  });

  const post = (room, text) => apiJson(bob, 'POST', `/api/rooms/${room}/messages`, { text });

  test('a mention and a DM notify once each while hidden; a plain message does not; the title counts', async () => {
    const page = alice.page;
    await page.goto('/directory');
    await page.getByTestId('rail-mentions').waitFor();
    await poll(async () => assert.equal(await page.title(), 'Easy Chat'));
    await setHidden(page, true);

    await post(st.room, 'just chatting');
    const mention = await post(st.room, `hey @${alice.user.username} look`);
    await poll(async () => assert.equal((await notes(page)).length, 1));
    await post(st.dm.room_id, 'a private word');
    await poll(async () => assert.equal((await notes(page)).length, 2));
    // Nothing more comes (the plain message, and no duplicate of either).
    await new Promise((r) => setTimeout(r, 1000));
    assert.deepEqual(await notes(page), [
      { title: `Bob Builder in #${st.roomName} (${st.groupName})`, body: `hey @${alice.user.username} look` },
      { title: 'Bob Builder', body: 'a private word' },
    ]);
    // One mention in the group, one unread DM.
    await poll(async () => assert.equal(await page.title(), '(2) Easy Chat'));

    // Clicking the mention's notification opens the message.
    await page.evaluate(() => window.__notes[0].onclick());
    await page.waitForURL(new RegExp(`/g/${st.group}/r/${st.room}\\?m=${mention.id}$`));
    await page.locator(`[data-testid=message][data-message-id="${mention.id}"]`).waitFor();
    assertNoErrors(assert, alice, bob);
  });

  test('a room muted from its menu raises nothing', async () => {
    const page = alice.page;
    await setHidden(page, false);
    await page.goto(`/g/${st.group}/r/${st.room}`);
    await page.getByRole('button', { name: `Room options for ${st.roomName}` }).click();
    await page.getByTestId('room-notify').click();
    const dialog = page.getByTestId('notify-dialog');
    await dialog.waitFor();
    await dialog.getByTestId('notify-mute-forever').click();
    await poll(async () => assert.equal(await dialog.getByTestId('notify-muted').innerText(), 'Muted until you unmute.'));
    await shot(page, 'notify-dialog');
    const saved = await apiJson(alice, 'GET', '/api/users/me/notification-settings');
    assert.deepEqual(saved.rooms, [{ room_id: st.room, group_id: st.group, level: null, muted_until: 'forever' }]);
    await page.keyboard.press('Escape');
    await page.goto('/directory');
    await page.getByTestId('rail-mentions').waitFor();
    await setHidden(page, true);

    await post(st.room, `@${alice.user.username} are you there?`);
    // A DM after it still notifies: the muted mention was not just late.
    await post(st.dm.room_id, 'second word');
    await poll(async () => assert.equal((await notes(page)).length, 1));
    await new Promise((r) => setTimeout(r, 1000));
    assert.deepEqual(await notes(page), [{ title: 'Bob Builder', body: 'second word' }]);
    assertNoErrors(assert, alice, bob);
  });

  test('my defaults are in the settings page and saved on the server', async () => {
    const page = alice.page;
    await setHidden(page, false);
    await page.goto('/settings');
    const prefs = page.getByTestId('notify-prefs');
    await prefs.waitFor();
    assert.equal(await prefs.getByTestId('notify-permission').getAttribute('data-permission'), 'granted');
    await prefs.getByTestId('notify-group-level').selectOption('all');
    await prefs.getByTestId('notify-hide-text').check();
    await poll(async () => {
      const s = await apiJson(alice, 'GET', '/api/users/me/notification-settings');
      assert.deepEqual(s.defaults, { group_level: 'all', dm_level: 'all', hide_text: true, sound: true });
    });
    // Now a plain message in an unmuted group notifies, without its text.
    const g2 = await apiJson(bob, 'POST', '/api/groups', { name: unique('Other'), is_public: true });
    await apiJson(alice, 'POST', `/api/groups/${g2.id}/join`, {});
    await page.goto('/directory');
    await page.getByTestId('rail-mentions').waitFor();
    await setHidden(page, true);
    await post(g2.topics[0].rooms[0].id, 'top secret');
    await poll(async () => assert.equal((await notes(page)).length, 1));
    const [n] = await notes(page);
    assert.equal(n.body, 'New message');
    assertNoErrors(assert, alice, bob);
  });
});
