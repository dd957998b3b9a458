// live.test.mjs - the realtime behaviour of the SPA in one signed-in
// session (issue 12): one websocket for the whole session, typing names,
// profile changes applied live, replies to deleted messages, the "new
// messages" cues, and opening a message link at that message.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Client, env, REPO, unique } from '../lib/api.mjs';
import { connect } from '../lib/ws.mjs';
import { closeDb, sql } from '../lib/db.mjs';
import {
  apiJson, assertNoErrors, closeAll, launch, messageByText, messageIds, openUser, poll,
  signupApi,
} from './lib.mjs';

describe('one realtime session in the browser', () => {
  let browser;
  let alice; // the browser under test
  let bob; // a second browser: sees alice's presence
  const others = []; // API clients (typing through their own sockets)
  const st = {};

  /** A signed-up API client in alice's group. */
  async function member(label) {
    const c = new Client();
    await c.signup(unique(label));
    const inv = await apiJson(alice, 'POST', `/api/groups/${st.group}/invites`, {});
    const res = await c.post(`/api/invites/${inv.code}/accept`);
    assert.ok(res.status < 300, res.text);
    others.push(c);
    return c;
  }

  async function post(c, room, text, extra = {}) {
    const res = await c.post(`/api/rooms/${room}/messages`, { text, ...extra });
    assert.equal(res.status, 201, res.text);
    return res.json;
  }

  before(async () => {
    browser = await launch();
    alice = await openUser(browser, 'alice');
    bob = await openUser(browser, 'bob');
    await signupApi(alice, unique('alice'));
    await signupApi(bob, unique('bob'));
    const group = await apiJson(alice, 'POST', '/api/groups', { name: unique('Live'), is_public: false });
    st.group = group.id;
    st.topic = group.topics[0].id;
    st.rooms = [group.topics[0].rooms[0].id];
    for (const name of ['second', 'third']) {
      const r = await apiJson(alice, 'POST', `/api/topics/${st.topic}/rooms`, { name });
      st.rooms.push(r.id);
    }
    const inv = await apiJson(alice, 'POST', `/api/groups/${st.group}/invites`, {});
    await apiJson(bob, 'POST', `/api/invites/${inv.code}/accept`);
    st.carl = await member('carl');
  });

  after(async () => {
    await closeAll(browser, alice, bob);
    await closeDb();
  });

  test('one websocket for 20 navigations; the other user sees no presence change', async () => {
    const { page } = alice;
    const sockets = [];
    page.on('websocket', (ws) => sockets.push(ws.url()));
    const requests = [];
    page.on('request', (r) => requests.push(new URL(r.url()).pathname));
    // Bob watches: every presence frame about alice that reaches his page.
    const presence = [];
    bob.page.on('websocket', (ws) => ws.on('framereceived', (f) => {
      try {
        const ev = JSON.parse(f.payload);
        if (ev.type === 'presence' && ev.user_id === alice.user.id) presence.push(ev);
      } catch { /* not JSON */ }
    }));
    await bob.page.goto(`/g/${st.group}/r/${st.rooms[0]}`);
    await bob.page.getByTestId('composer').waitFor();
    await page.goto(`/g/${st.group}/r/${st.rooms[0]}`);
    await page.getByTestId('composer').waitFor();
    await bob.page.locator(`[data-testid=member][data-user-id="${alice.user.id}"][data-online="true"]`).waitFor();
    await page.getByTestId('member-list').locator('[data-testid=member]').first().waitFor();
    await new Promise((r) => setTimeout(r, 1000)); // the first connection's catch-up settles
    const seenBefore = presence.length;
    const room = (i) => page.locator(`[data-testid=room-item][data-room-id="${st.rooms[i]}"]`);
    const inRoom = (i) => page.locator(`[data-testid=chat-pane][data-room-id="${st.rooms[i]}"]`).waitFor();

    // Room switches first: no REST data is fetched again for them.
    const mark = requests.length;
    let n = 0;
    for (const i of [1, 2, 0, 1, 2, 0, 2, 1]) {
      await room(i).click();
      await inRoom(i);
      n++;
    }
    await new Promise((r) => setTimeout(r, 800));
    const refetched = requests.slice(mark).filter((p) => p === '/api/groups' || p === `/api/groups/${st.group}` ||
      p === `/api/groups/${st.group}/members`);
    assert.deepEqual(refetched, [], 'room switches fetched the group list, group or members again');
    // Then the other pages and back, twelve more navigations.
    const railGroup = page.locator(`[data-testid=group-rail-item][data-group-id="${st.group}"]`);
    for (let k = 0; k < 3; k++) {
      await page.getByTestId('rail-directory').click();
      await page.waitForURL(/\/directory/);
      await page.getByTestId('rail-search').click();
      await page.getByTestId('search-input').waitFor();
      await railGroup.click();
      await page.getByTestId('composer').waitFor();
      await room(k).click();
      await inRoom(k);
      n += 4;
    }
    assert.equal(n, 20);
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(sockets.length, 1, `websocket connections opened: ${sockets.length}`);
    assert.deepEqual(presence.slice(seenBefore), [], 'bob saw alice\'s presence change');
    assert.equal(await bob.page.locator(`[data-testid=member][data-user-id="${alice.user.id}"]`)
      .getAttribute('data-online'), 'true');
    assertNoErrors(assert, alice, bob);
  });

  test('the typing line names users by username and counts several', async () => {
    const { page } = alice;
    const rid = st.rooms[0];
    await page.goto(`/g/${st.group}/r/${rid}`);
    await page.getByTestId('composer').waitFor();
    const dave = await member('dave');
    const erin = await member('erin');
    const sockets = [];
    try {
      for (const c of [st.carl, dave, erin]) {
        sockets.push(await connect({ cookie: c.cookieHeader() }));
      }
      for (const ws of sockets) await ws.next((e) => e.type === 'hello');
      const indicator = page.getByTestId('typing-indicator');
      sockets[0].send({ type: 'typing', room_id: rid, is_typing: true });
      await poll(async () => assert.equal(await indicator.innerText(), `${st.carl.user.username} is typing…`));
      sockets[1].send({ type: 'typing', room_id: rid, is_typing: true });
      const two = [st.carl.user.username, dave.user.username].sort((a, b) => a.localeCompare(b));
      await poll(async () => assert.equal(await indicator.innerText(), `${two[0]} and ${two[1]} are typing…`));
      sockets[2].send({ type: 'typing', room_id: rid, is_typing: true });
      await poll(async () => assert.equal(await indicator.innerText(), 'Several people are typing…'));
      for (const ws of sockets) ws.send({ type: 'typing', room_id: rid, is_typing: false });
      await poll(async () => assert.equal(await indicator.innerText(), ''));
    } finally {
      for (const ws of sockets) await ws.close();
    }
    assertNoErrors(assert, alice);
  });

  test('a profile change shows live in messages and the member list', async () => {
    const { page } = alice;
    const rid = st.rooms[1];
    const carl = st.carl;
    await post(carl, rid, 'carl before the rename');
    await page.goto(`/g/${st.group}/r/${rid}`);
    const msg = messageByText(page, 'carl before the rename');
    await msg.waitFor();
    const memberRow = page.locator(`[data-testid=member][data-user-id="${carl.user.id}"]`);
    assert.equal(await memberRow.locator('.member-name').innerText(), carl.user.username);
    await page.evaluate(() => { window.__e2eNoReload = true; });
    const res = await carl.patch('/api/users/me', { full_name: 'Carl Renamed' });
    assert.equal(res.status, 200, res.text);
    await poll(async () => assert.equal(await msg.locator('.message-author').innerText(), 'Carl Renamed'));
    await poll(async () => assert.equal(await memberRow.locator('.member-name').innerText(), 'Carl Renamed'));
    // A new icon too (bob's, uploaded from his browser context).
    await apiJson(bob, 'POST', `/api/rooms/${rid}/messages`, { text: 'bob before the new icon' });
    const bobMsg = messageByText(page, 'bob before the new icon');
    await bobMsg.waitFor();
    const up = await bob.context.request.post('/api/users/me/icon', {
      headers: { Origin: env.origin },
      multipart: {
        file: { name: 'icon.png', mimeType: 'image/png', buffer: fs.readFileSync(path.join(REPO, 'tests/fixtures/img-320x240.png')) },
        crop_x: '0', crop_y: '0', crop_w: '240', crop_h: '240',
      },
    });
    assert.equal(up.status(), 200, await up.text());
    const icon = (await up.json()).icon_url;
    assert.match(icon, /^\/media\//);
    await poll(async () => assert.equal(await bobMsg.locator('img.avatar').getAttribute('src'), icon));
    const bobRow = page.locator(`[data-testid=member][data-user-id="${bob.user.id}"]`);
    await poll(async () => assert.equal(await bobRow.locator('img.avatar').getAttribute('src'), icon));
    assert.equal(await page.evaluate(() => window.__e2eNoReload), true, 'the page was reloaded');
    // And after a reload (the history cache was invalidated).
    await page.reload();
    await msg.waitFor();
    assert.equal(await msg.locator('.message-author').innerText(), 'Carl Renamed');
    assert.equal(await bobMsg.locator('img.avatar').getAttribute('src'), icon);
    assertNoErrors(assert, alice);
  });

  test('a reply to a deleted message says so, live and after a reload', async () => {
    const { page } = alice;
    const rid = st.rooms[2];
    const carl = st.carl;
    const original = await post(carl, rid, 'soon to be deleted');
    await page.goto(`/g/${st.group}/r/${rid}`);
    await messageByText(page, 'soon to be deleted').waitFor();
    const reply = await apiJson(alice, 'POST', `/api/rooms/${rid}/messages`, { text: 'a reply to it', reply_to: original.id });
    const row = page.locator(`[data-testid=message][data-message-id="${reply.id}"]`);
    await row.waitFor();
    const quote = row.getByTestId('reply-quote');
    assert.match(await quote.innerText(), /soon to be deleted/);
    await page.evaluate(() => { window.__e2eNoReload = true; });
    const del = await carl.del(`/api/messages/${original.id}`);
    assert.equal(del.status, 204, del.text);
    await messageByText(page, 'soon to be deleted').waitFor({ state: 'detached' });
    await poll(async () => assert.equal(await quote.innerText(), 'Original message deleted'));
    assert.equal(await page.evaluate(() => window.__e2eNoReload), true, 'the page was reloaded');
    // The server says so too: the message JSON marks the quote deleted.
    const page1 = await apiJson(alice, 'GET', `/api/rooms/${rid}/messages?limit=5`);
    const got = page1.items.find((m) => m.id === reply.id);
    assert.deepEqual(got.reply_to, { id: original.id, sender_id: carl.user.id, text: null, deleted: true });
    await page.reload();
    await row.waitFor();
    assert.equal(await row.getByTestId('reply-quote').innerText(), 'Original message deleted');
    assertNoErrors(assert, alice);
  });

  test('"N new messages" while scrolled up, and "N new since" on opening a room with unread', async () => {
    const { page } = alice;
    const rid = st.rooms[0];
    const carl = st.carl;
    for (let i = 1; i <= 40; i++) await post(carl, rid, `filler ${i}`);
    await page.goto(`/g/${st.group}/r/${rid}`);
    await messageByText(page, 'filler 40').waitFor();
    await poll(async () => {
      const rows = await sql('SELECT last_read_id FROM read_markers WHERE room_id = $1 AND user_id = $2', [rid, alice.user.id]);
      assert.ok(rows.length && Number(rows[0].last_read_id) > 0);
    });
    // Scrolled up: new messages do not move the view; a cue counts them.
    await page.locator('.message-scroller').evaluate((el) => { el.scrollTop = 0; });
    await page.waitForTimeout(500);
    await post(carl, rid, 'new while scrolled up 1');
    await post(carl, rid, 'new while scrolled up 2');
    const cue = page.getByTestId('new-messages-jump');
    await poll(async () => assert.equal(await cue.innerText(), '2 new messages'));
    await cue.click();
    await poll(async () => assert.ok(await messageByText(page, 'new while scrolled up 2').isVisible()));
    await cue.waitFor({ state: 'detached' });

    // Another room with unread messages (a new one, so nothing earlier
    // tests left unread counts): the banner at the top.
    const other = (await apiJson(alice, 'POST', `/api/topics/${st.topic}/rooms`, { name: 'banner' })).id;
    await page.locator(`[data-testid=room-item][data-room-id="${other}"]`).waitFor();
    const first = await post(carl, other, 'unread one');
    await post(carl, other, 'unread two');
    const last = await post(carl, other, 'unread three');
    await page.locator(`[data-testid=room-item][data-room-id="${other}"]`).click();
    const banner = page.getByTestId('unread-banner');
    await banner.waitFor();
    const hhmm = await page.evaluate((iso) => new Date(iso).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' }),
      first.created_at);
    assert.match(await banner.innerText(), new RegExp(`^3 new messages since ${hhmm}`));
    await banner.getByRole('button', { name: 'Mark as read' }).click();
    await banner.waitFor({ state: 'detached' });
    await poll(async () => {
      const rows = await sql('SELECT last_read_id FROM read_markers WHERE room_id = $1 AND user_id = $2', [other, alice.user.id]);
      assert.equal(Number(rows[0]?.last_read_id), last.id);
    });
    assertNoErrors(assert, alice);
  });

  test('a message link opens at that message, loads both ways, and marks read only what was shown', async () => {
    const { page } = alice;
    // A room alice has never opened, with 120 messages.
    const r = await apiJson(alice, 'POST', `/api/topics/${st.topic}/rooms`, { name: 'long' });
    const rid = r.id;
    const ids = [];
    const word = `quince${Date.now().toString(36)}`;
    for (let i = 1; i <= 120; i++) {
      ids.push((await post(st.carl, rid, i === 60 ? `number ${i} ${word}` : `number ${i}`)).id);
    }
    const target = ids[59];
    // From a search result, as a person would.
    await page.goto('/search');
    await page.getByTestId('search-input').fill(word);
    await page.getByTestId('search-submit').click();
    const hit = page.locator(`[data-testid=search-result][data-message-id="${target}"]`);
    await hit.click();
    await page.waitForURL(new RegExp(`/g/${st.group}/r/${rid}\\?m=${target}`));
    const row = page.locator(`[data-testid=message][data-message-id="${target}"]`);
    await row.waitFor();
    await poll(async () => assert.match(await row.getAttribute('class'), /\bhighlighted\b/));
    // Still there once everything settled (no catch-up replaced the window).
    await page.waitForTimeout(2000);
    assert.ok(await row.isVisible(), 'the target message is no longer shown');
    const shown = await messageIds(page);
    assert.ok(!shown.includes(ids[119]), 'the newest message is loaded: the window was replaced');
    // Not marked read past what was shown.
    const reads = await sql('SELECT last_read_id FROM read_markers WHERE room_id = $1 AND user_id = $2', [rid, alice.user.id]);
    const readTo = reads.length ? Number(reads[0].last_read_id) : 0;
    assert.ok(readTo <= Math.max(...shown), `marked read to ${readTo}, beyond ${Math.max(...shown)}`);
    assert.ok(readTo < ids[119], 'the whole room was marked read');
    // Older history loads scrolling up, newer scrolling down.
    const scroller = page.locator('.message-scroller');
    await poll(async () => {
      await scroller.evaluate((el) => { el.scrollTop = 0; });
      assert.ok((await messageIds(page)).includes(ids[0]));
    }, { timeout: 20000, interval: 300 });
    await poll(async () => {
      await scroller.evaluate((el) => { el.scrollTop = el.scrollHeight; });
      assert.ok((await messageIds(page)).includes(ids[119]));
    }, { timeout: 20000, interval: 300 });
    assertNoErrors(assert, alice);
  });
});
