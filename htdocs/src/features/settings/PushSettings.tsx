// The "Push notifications" switch of /settings: registers the service
// worker (/sw.js, scope /) and subscribes this browser with the server's
// VAPID key only when the user turns it on, and unsubscribes when off.

import { useEffect, useState } from 'react';
import { api, errorMessage, isApiError } from '@/shared/api/client';
import { FormStatus } from '@/shared/ui/FormStatus';

const SUBS = '/users/me/push-subscriptions';
const ID_KEY = 'easychat.push-subscription-id';

const supported = () =>
  typeof navigator !== 'undefined' && 'serviceWorker' in navigator && typeof window !== 'undefined' && 'PushManager' in window && 'Notification' in window;

function keyBytes(b64url: string): Uint8Array {
  const b64 = b64url.replace(/-/g, '+').replace(/_/g, '/');
  const bin = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

async function currentSubscription(): Promise<PushSubscription | null> {
  const reg = await navigator.serviceWorker.getRegistration('/');
  return reg ? reg.pushManager.getSubscription() : null;
}

export function PushSettings() {
  const [on, setOn] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [msg, setMsg] = useState('');

  useEffect(() => {
    if (!supported()) return;
    let live = true;
    currentSubscription()
      .then((s) => live && setOn(s !== null && localStorage.getItem(ID_KEY) !== null))
      .catch(() => {});
    return () => {
      live = false;
    };
  }, []);

  const turnOn = async () => {
    const permission = await Notification.requestPermission();
    if (permission !== 'granted') throw new Error('Notifications are blocked for this site in the browser.');
    const { public_key: key } = await api.get<{ public_key: string }>(`${SUBS}/vapid-key`);
    const reg = await navigator.serviceWorker.register('/sw.js', { scope: '/' });
    await navigator.serviceWorker.ready;
    const sub = await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(key) });
    const saved = await api.post<{ id: number }>(SUBS, sub.toJSON());
    localStorage.setItem(ID_KEY, String(saved.id));
  };

  const turnOff = async () => {
    const id = localStorage.getItem(ID_KEY);
    localStorage.removeItem(ID_KEY);
    const sub = await currentSubscription();
    if (sub) await sub.unsubscribe();
    if (id) await api.del(`${SUBS}/${id}`).catch((e: unknown) => {
      if (!isApiError(e, 404)) throw e;
    });
  };

  const toggle = async () => {
    setBusy(true);
    setError('');
    setMsg('');
    try {
      if (on) await turnOff();
      else await turnOn();
      setMsg(on ? 'Push notifications are off in this browser.' : 'Push notifications are on in this browser.');
      setOn(!on);
    } catch (e) {
      setError(isApiError(e, 404) ? 'Push notifications are not enabled on this server.' : errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card" aria-labelledby="push-title">
      <h2 id="push-title">Push notifications</h2>
      <p className="muted">
        Mentions and direct messages reach this device while Easy Chat is closed. The push service of your browser carries them
        encrypted; it cannot read them.
      </p>
      {supported() ? (
        <label className="field">
          <span>
            <input type="checkbox" checked={on} disabled={busy} onChange={toggle} data-testid="push-toggle" /> Notify me on this
            device when I am away
          </span>
        </label>
      ) : (
        <p className="muted">This browser does not support push notifications.</p>
      )}
      <FormStatus error={error} ok={msg} />
    </section>
  );
}
