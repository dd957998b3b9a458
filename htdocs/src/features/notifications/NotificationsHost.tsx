// Mounted once in the signed-in shell: keeps the settings and my blocks
// loaded (the notifier reads them from the cache), keeps the tab title's
// count ("(3) Easy Chat") and hosts the Notifications dialog.

import { useEffect, useState } from 'react';
import { useBlocks, useConversations } from '@/shared/api/dms';
import { useUnreadStore } from '@/shared/stores/unreadStore';
import { useMentionStore } from '@/shared/stores/mentionStore';
import { useNotifySettings } from './api';
import { NotifyDialogHost } from './NotifyDialog';
import { DEFAULT_SETTINGS, titleCount, titleWithCount } from './rules';

const MINUTE = 60_000;

export function NotificationsHost() {
  const { data: settings } = useNotifySettings();
  useBlocks();
  const { data: conversations } = useConversations();
  const unread = useUnreadStore((s) => s.groups);
  const mentions = useMentionStore((s) => s.groups);
  // A mute that runs out changes the count without any event.
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = window.setInterval(() => setNow(Date.now()), MINUTE);
    return () => window.clearInterval(t);
  }, []);
  const dmIds = new Set((conversations ?? []).map((c) => c.id));
  const count = titleCount(settings ?? DEFAULT_SETTINGS, unread, mentions, (id) => dmIds.has(id), now);

  useEffect(() => {
    document.title = titleWithCount(count);
  }, [count]);
  useEffect(
    () => () => {
      document.title = titleWithCount(0);
    },
    [],
  );

  return <NotifyDialogHost />;
}
