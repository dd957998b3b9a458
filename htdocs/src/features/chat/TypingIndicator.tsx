// "alice is typing…" under the message list; re-evaluated every second so
// states that were not renewed disappear after 8 s.

import { useEffect, useState } from 'react';
import type { Id } from '@/shared/api/types';
import { typersIn, typingText, useTypingStore } from './typingStore';

export function TypingIndicator({ roomId, selfId }: { roomId: Id; selfId: Id }) {
  const rooms = useTypingStore((s) => s.rooms);
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => {
      useTypingStore.getState().prune();
      setNow(Date.now());
    }, 1000);
    return () => clearInterval(t);
  }, []);
  const text = typingText(typersIn(rooms, roomId, selfId, Math.max(now, Date.now())));
  return (
    <div className="typing-indicator" data-testid="typing-indicator" aria-live="polite" data-active={text ? 'true' : 'false'}>
      {text}
    </div>
  );
}
