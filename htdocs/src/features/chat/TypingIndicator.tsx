// "alice is typing…" under the message list; re-evaluated every second so
// states that were not renewed disappear after 8 s.

import { useEffect, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import type { Id } from '@/shared/api/types';
import { cachedMember } from '@/shared/api/members';
import { typersIn, typingText, useTypingStore } from './typingStore';

export function TypingIndicator({ roomId, groupId, selfId }: { roomId: Id; groupId: Id; selfId: Id }) {
  const rooms = useTypingStore((s) => s.rooms);
  const qc = useQueryClient();
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => {
      useTypingStore.getState().prune();
      setNow(Date.now());
    }, 1000);
    return () => clearInterval(t);
  }, []);
  // Names from the member list (kept current by user.updated), so a user
  // without a full name shows as their username, not "Someone".
  const nameOf = (uid: Id) => cachedMember(qc, groupId, uid)?.user.profile.full_name || undefined;
  const usernameOf = (uid: Id) => cachedMember(qc, groupId, uid)?.user.username;
  const text = typingText(typersIn(rooms, roomId, selfId, Math.max(now, Date.now()), nameOf, usernameOf));
  return (
    <div className="typing-indicator" data-testid="typing-indicator" aria-live="polite" data-active={text ? 'true' : 'false'}>
      {text}
    </div>
  );
}
