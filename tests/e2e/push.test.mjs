// push.test.mjs - Web Push in the browser: the settings switch registers
// the service worker (/sw.js, scope /) and sends the subscription made
// with the server's VAPID key; the worker's push handler, given a payload
// through CDP (ServiceWorker.deliverPushMessage, as a push service's
// message arrives), shows the right notification. The browser's own push
// service (a vendor's, unreachable here) is the one thing replaced: its
// PushManager.subscribe answers with a subscription of keys made here.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { env, unique } from '../lib/api.mjs';
import { closeDb, sql } from '../lib/db.mjs';
import { assertNoErrors, closeAll, launch, openUser, poll, signupApi } from './lib.mjs';

describe('web push in the browser', () => {
  let browser;
  let dora;

  before(async () => {
    browser = await launch();
    dora = await openUser(browser, 'dora');
    await dora.context.grantPermissions(['notifications'], { origin: env.origin });
    await signupApi(dora, unique('dora'));
  });

  after(async () => {
    await closeAll(browser, dora);
    await closeDb();
  });

  test('turning push on registers the worker and stores this browser\'s subscription', async () => {
    const ecdh = crypto.createECDH('prime256v1');
    ecdh.generateKeys();
    const fake = {
      endpoint: `http://127.0.0.1:9/push/${unique('e')}`,
      keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: crypto.randomBytes(16).toString('base64url') },
    };
    await dora.context.addInitScript((sub) => {
      let current = null;
      PushManager.prototype.subscribe = async function subscribe(opts) {
        window.__pushKey = btoa(String.fromCharCode(...new Uint8Array(opts.applicationServerKey)));
        current = { endpoint: sub.endpoint, toJSON: () => sub, unsubscribe: async () => { current = null; return true; } };
        return current;
      };
      PushManager.prototype.getSubscription = async function getSubscription() { return current; };
    }, fake);
    const { page } = dora;
    await page.goto('/settings');
    const toggle = page.getByTestId('push-toggle');
    await toggle.waitFor();
    assert.equal(await toggle.isChecked(), false);
    // controlled: it turns on once the subscription is stored, so a
    // click, then the outcome
    await toggle.click();
    await page.getByText('Push notifications are on in this browser.').waitFor();
    const rows = await sql('SELECT endpoint, p256dh, auth FROM push_subscriptions WHERE user_id = $1', [dora.user.id]);
    assert.deepEqual(rows, [{ endpoint: fake.endpoint, p256dh: fake.keys.p256dh, auth: fake.keys.auth }]);
    // subscribed with the served VAPID key
    const served = await page.evaluate(async () => (await (await fetch('/api/users/me/push-subscriptions/vapid-key')).json()).public_key);
    const used = await page.evaluate(() => window.__pushKey);
    assert.equal(Buffer.from(used, 'base64').toString('base64url'), served);
    const scope = await page.evaluate(async () => (await navigator.serviceWorker.getRegistration('/'))?.scope);
    assert.equal(scope, `${env.origin}/`);

    assert.equal(await toggle.isChecked(), true);
    await toggle.click();
    await page.getByText('Push notifications are off in this browser.').waitFor();
    assert.equal(await toggle.isChecked(), false);
    assert.equal((await sql('SELECT count(*)::int AS n FROM push_subscriptions WHERE user_id = $1', [dora.user.id]))[0].n, 0);
    assertNoErrors(assert, dora);
  });

  test('the worker shows the notification a push carries', async () => {
    const { page } = dora;
    await page.goto('/settings');
    await page.evaluate(async () => {
      await navigator.serviceWorker.register('/sw.js', { scope: '/' });
      await navigator.serviceWorker.ready;
    });
    const cdp = await dora.context.newCDPSession(page);
    const regs = [];
    cdp.on('ServiceWorker.workerRegistrationUpdated', (e) => regs.push(...e.registrations));
    await cdp.send('ServiceWorker.enable');
    const reg = await poll(() => {
      const r = regs.find((x) => x.scopeURL === `${env.origin}/` && !x.isDeleted);
      assert.ok(r, 'registration seen');
      return r;
    });
    const shown = () => page.evaluate(async () => (await (await navigator.serviceWorker.ready).getNotifications())
      .map((n) => ({ title: n.title, body: n.body, tag: n.tag, url: n.data && n.data.url })));

    await cdp.send('ServiceWorker.deliverPushMessage', {
      origin: env.origin, registrationId: reg.registrationId,
      data: JSON.stringify({ type: 'message', room_id: 42, message_id: 7, sender: 'ann', title: 'ann in #general', body: 'lunch?', url: '/room/42?m=7' }),
    });
    await poll(async () => assert.deepEqual(await shown(), [{ title: 'ann in #general', body: 'lunch?', tag: 'room-42', url: '/room/42?m=7' }]));

    // text hidden: no body in the payload, a neutral line instead; the same
    // room's notification is replaced (tag)
    await cdp.send('ServiceWorker.deliverPushMessage', {
      origin: env.origin, registrationId: reg.registrationId,
      data: JSON.stringify({ type: 'message', room_id: 42, message_id: 8, sender: 'ann', title: 'ann in #general', url: '/room/42?m=8' }),
    });
    await poll(async () => assert.deepEqual(await shown(), [{ title: 'ann in #general', body: 'New message', tag: 'room-42', url: '/room/42?m=8' }]));

    // a summary of another room, and a URL that is not ours is not followed
    await cdp.send('ServiceWorker.deliverPushMessage', {
      origin: env.origin, registrationId: reg.registrationId,
      data: JSON.stringify({ type: 'summary', room_id: 5, message_id: 9, count: 3, title: '3 new messages in #dev', url: 'https://evil.example/' }),
    });
    await poll(async () => {
      const all = await shown();
      assert.equal(all.length, 2);
      assert.deepEqual(all.find((n) => n.tag === 'room-5'), { title: '3 new messages in #dev', body: '', tag: 'room-5', url: '/' });
    });
    await cdp.detach();
    assertNoErrors(assert, dora);
  });
});
