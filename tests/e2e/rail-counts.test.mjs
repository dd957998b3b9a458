// rail-counts.test.mjs - the group rail a browser shows on opening the app
// agrees with the counts the triggers keep (migration 0080): the unread
// dot and the "@N" mention badge of each group are those of GET
// /api/groups after posts, a deleted mention and a partial read.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { unique } from '../lib/api.mjs';
import { closeDb } from '../lib/db.mjs';
import { apiJson, assertNoErrors, closeAll, launch, openUser, poll, signupApi } from './lib.mjs';

describe('rail counts', () => {
  let browser;
  let alice;
  let bob;

  before(async () => {
    browser = await launch();
    alice = await openUser(browser, 'alice');
    bob = await openUser(browser, 'bob');
    await signupApi(alice, unique('alice'));
    await signupApi(bob, unique('bob'));
  });

  after(async () => {
    await closeAll(browser, alice, bob);
    await closeDb();
  });

  test('the unread dot and the mention badge match GET /api/groups', async () => {
    const busy = await apiJson(alice, 'POST', '/api/groups', { name: unique('Busy'), is_public: true });
    const quiet = await apiJson(alice, 'POST', '/api/groups', { name: unique('Quiet'), is_public: true });
    await apiJson(bob, 'POST', `/api/groups/${busy.id}/join`, {});
    await apiJson(bob, 'POST', `/api/groups/${quiet.id}/join`, {});
    const room = busy.topics[0].rooms[0].id;
    const say = (text) => apiJson(alice, 'POST', `/api/rooms/${room}/messages`, { text });
    const first = await say('first');
    await say(`one for @${bob.user.username}`);
    const gone = await say(`two for @${bob.user.username}`);
    await say(`three for @${bob.user.username}`);
    await apiJson(alice, 'DELETE', `/api/messages/${gone.id}`);
    await apiJson(bob, 'POST', `/api/rooms/${room}/read`, { last_read_id: first.id });

    const list = await apiJson(bob, 'GET', '/api/groups?limit=100');
    const want = Object.fromEntries(list.items.map((g) => [g.id, g]));
    assert.deepEqual([want[busy.id].unread_count, want[busy.id].mention_count], [2, 2]);
    assert.deepEqual([want[quiet.id].unread_count, want[quiet.id].mention_count], [0, 0]);

    await bob.page.goto('/directory');
    const item = (id) => bob.page.locator(`[data-testid=group-rail-item][data-group-id="${id}"]`);
    const badge = (id) => bob.page.locator(`[data-testid=group-rail-item][data-group-id="${id}"] ~ [data-testid=mention-badge]`);
    await item(busy.id).waitFor();
    await poll(async () => {
      assert.equal(await item(busy.id).getAttribute('data-unread'), 'true');
      assert.equal(await badge(busy.id).getAttribute('data-count'), '2');
      assert.equal(await item(quiet.id).getAttribute('data-unread'), 'false');
      assert.equal(await badge(quiet.id).count(), 0);
    });
    assertNoErrors(assert, bob);
  });
});
