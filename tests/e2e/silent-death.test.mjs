// silent-death.test.mjs - a connection that dies without a close (the
// relay SIGSTOPped: TCP stays up, nothing answers) is noticed within the
// heartbeat the relay announced, a "reconnecting" banner shows, and the
// catch-up brings what was missed; a message that could not be sent
// (network down) is sent again by itself, with its nonce, once back.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { env, unique } from '../lib/api.mjs';
import { closeDb, sql } from '../lib/db.mjs';
import {
  apiJson, assertNoErrors, closeAll, launch, messageByText, openUser, poll, sendMessage, signupApi,
} from './lib.mjs';

function relayPid() {
  return Number(fs.readFileSync(path.join(env.varDir, 'run', 'relay-0.pid'), 'utf8').trim());
}

describe('a silently dead connection', () => {
  let browser;
  let alice;
  let bob;
  let stopped = false;
  let group;
  let room;

  before(async () => {
    browser = await launch();
    alice = await openUser(browser, 'alice');
    bob = await openUser(browser, 'bob');
    await signupApi(alice, unique('alice'));
    await signupApi(bob, unique('bob'));
    group = await apiJson(alice, 'POST', '/api/groups', { name: unique('Silent'), is_public: false });
    room = group.topics[0].rooms[0].id;
    const invite = await apiJson(alice, 'POST', `/api/groups/${group.id}/invites`, {});
    await apiJson(bob, 'POST', `/api/invites/${invite.code}/accept`);
  });

  after(async () => {
    if (stopped) process.kill(relayPid(), 'SIGCONT');
    await closeAll(browser, alice, bob);
    await closeDb();
  });

  test('is detected within the announced heartbeat, shown, and caught up', async () => {
    const { page } = alice;
    let heartbeat = null;
    page.on('websocket', (ws) => ws.on('framereceived', (f) => {
      try {
        const ev = JSON.parse(f.payload);
        if (ev.type === 'hello') heartbeat = ev.heartbeat_ms;
      } catch { /* not JSON */ }
    }));
    await page.goto(`/g/${group.id}/r/${room}`);
    await page.getByTestId('composer').waitFor();
    await poll(() => assert.ok(heartbeat > 0));
    assert.ok(heartbeat <= 30000, `heartbeat_ms ${heartbeat}`);
    await page.evaluate(() => { window.__e2eNoReload = true; });
    // Let the relay's Redis subscription for the new session settle.
    await page.waitForTimeout(1000);
    await apiJson(bob, 'POST', `/api/rooms/${room}/messages`, { text: 'before the freeze' });
    await messageByText(page, 'before the freeze').waitFor();

    process.kill(relayPid(), 'SIGSTOP');
    stopped = true;
    const t0 = Date.now();
    await apiJson(bob, 'POST', `/api/rooms/${room}/messages`, { text: 'during the freeze' });
    await page.getByTestId('connection-status').waitFor({ timeout: heartbeat + 2000 });
    const detected = Date.now() - t0;
    console.log(`silent death detected after ${detected} ms (heartbeat ${heartbeat} ms)`);
    assert.ok(detected <= heartbeat, `detected after ${detected} ms`);
    assert.match(await page.getByTestId('connection-status').innerText(), /reconnecting/i);

    process.kill(relayPid(), 'SIGCONT');
    stopped = false;
    await page.getByTestId('connection-status').waitFor({ state: 'detached', timeout: 30000 });
    await messageByText(page, 'during the freeze').waitFor({ timeout: 15000 });
    // Live again, without a reload.
    await apiJson(bob, 'POST', `/api/rooms/${room}/messages`, { text: 'after the thaw' });
    await messageByText(page, 'after the thaw').waitFor();
    assert.equal(await page.evaluate(() => window.__e2eNoReload), true, 'the page was reloaded');
    assertNoErrors(assert, alice);
  });

  test('a message that could not be sent is sent again, once, when back online', async () => {
    const { page } = alice;
    await bob.page.goto(`/g/${group.id}/r/${room}`);
    await bob.page.getByTestId('composer').waitFor();
    await alice.context.setOffline(true);
    await sendMessage(page, 'typed while offline');
    const pending = page.getByTestId('message-pending');
    await page.locator('[data-testid=message-pending][data-status=failed]').waitFor();
    const nonce = await pending.getAttribute('data-nonce');
    await alice.context.setOffline(false);
    await pending.waitFor({ state: 'detached', timeout: 30000 });
    await messageByText(page, 'typed while offline').waitFor();
    await messageByText(bob.page, 'typed while offline').waitFor();
    const rows = await sql('SELECT nonce FROM messages WHERE room_id = $1 AND text = $2', [room, 'typed while offline']);
    assert.deepEqual(rows, [{ nonce }]);
    // Requests refused while offline are logged by the browser, as expected.
    alice.errors = alice.errors.filter((e) => !/net::ERR_INTERNET_DISCONNECTED/.test(e));
    assertNoErrors(assert, alice, bob);
  });
});
