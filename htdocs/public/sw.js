// sw.js - the service worker of Web Push (scope /; registered by the push
// switch in /settings, features/settings/PushSettings.tsx): shows the
// notification a push carries (common/push.c builds the payload) and, on
// a click, focuses an open tab at the room or opens one.

/** The notification for a push payload {type, room_id, message_id,
 * sender, title, body?, url, count?}: one per room (tag), so a newer one
 * replaces the last. No body means the user hides message text. */
function notificationOf(data) {
  const title = typeof data.title === 'string' && data.title ? data.title : 'Easy Chat';
  let body = '';
  if (typeof data.body === 'string') body = data.body;
  else if (data.type !== 'summary') body = 'New message';
  return {
    title,
    options: {
      body,
      tag: data.room_id ? `room-${data.room_id}` : 'easychat',
      renotify: true,
      icon: '/favicon.svg',
      data: { url: typeof data.url === 'string' && data.url.startsWith('/') ? data.url : '/' },
    },
  };
}

self.addEventListener('push', (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch {
    data = {};
  }
  const n = notificationOf(data || {});
  event.waitUntil(self.registration.showNotification(n.title, n.options));
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const url = new URL(event.notification.data?.url || '/', self.location.origin).href;
  event.waitUntil(
    (async () => {
      const tabs = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
      for (const tab of tabs) {
        if (new URL(tab.url).origin !== self.location.origin) continue;
        await tab.focus();
        await tab.navigate(url);
        return;
      }
      await self.clients.openWindow(url);
    })(),
  );
});

// A new version takes over at once: the worker keeps no state.
self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));
