// The virtualised message list: loads older pages when scrolled to the top
// (keeping the position), follows new messages when at the bottom, date
// and unread dividers, and a highlighted target for search jumps.

import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Virtuoso, type VirtuosoHandle } from 'react-virtuoso';
import type { Id, Message } from '@/shared/api/types';
import type { RoomMessages } from './store';
import type { PendingMessage } from './merge';
import { needsDateDivider, unreadDividerIndex } from './merge';
import { loadNewer, loadOlder } from './sync';
import { MessageItem, PendingItem } from './MessageItem';
import { NewMessagesJump, countNewSince, newestVisibleId } from './NewMessagesJump';

type Row = { kind: 'message'; key: string; message: Message; prev: Message | null } | { kind: 'pending'; key: string; pending: PendingMessage };

const START_INDEX = 1_000_000;

interface Props {
  roomId: Id;
  state: RoomMessages;
  selfId: Id;
  canModerate: boolean;
  target: Id | null;
  lastReadId: Id | null;
  onReply: (m: Message) => void;
  onJump: (id: Id) => void;
  /** The newest message id that has been on screen (for the read marker). */
  onSeen?: (id: Id) => void;
}

export function MessageList({ roomId, state, selfId, canModerate, target, lastReadId, onReply, onJump, onSeen }: Props) {
  const { messages, pending } = state;
  const virtuoso = useRef<VirtuosoHandle>(null);
  const box = useRef<HTMLDivElement>(null);

  // What is really on screen, not what is loaded: a message link must not
  // mark the room read past it.
  const reportSeen = useCallback(() => {
    if (!onSeen || !box.current) return;
    const id = newestVisibleId(box.current);
    if (id !== null) onSeen(id);
  }, [onSeen]);
  useEffect(() => {
    const raf = requestAnimationFrame(reportSeen);
    return () => cancelAnimationFrame(raf);
  }, [messages, reportSeen]);

  // Scrolled up: messages arriving at the live end are counted, not followed.
  const [atBottom, setAtBottom] = useState(true);
  const [leftAt, setLeftAt] = useState<Id | null>(null);
  const newCount = atBottom || leftAt === null || state.hasMoreAfter ? 0 : countNewSince(messages, leftAt, selfId);

  // Our own send always brings the end of the list into view.
  const pendingCount = useRef(pending.length);
  useEffect(() => {
    if (pending.length > pendingCount.current) virtuoso.current?.scrollToIndex({ index: 'LAST', behavior: 'auto' });
    pendingCount.current = pending.length;
  }, [pending.length]);
  const rows = useMemo<Row[]>(() => {
    const out: Row[] = messages.map((m, i) => ({ kind: 'message', key: `m${m.id}`, message: m, prev: i > 0 ? messages[i - 1] : null }));
    if (!state.hasMoreAfter) for (const p of pending) out.push({ kind: 'pending', key: `p${p.nonce}`, pending: p });
    return out;
  }, [messages, pending, state.hasMoreAfter]);

  // Virtuoso keeps the scroll position on prepend when firstItemIndex drops
  // by the number of rows added at the top.
  const anchor = useRef<{ firstId: Id | null; index: number }>({ firstId: null, index: START_INDEX });
  const firstId = messages.length ? messages[0].id : null;
  if (firstId !== anchor.current.firstId) {
    let index = anchor.current.index;
    const prevFirst = anchor.current.firstId;
    if (prevFirst !== null) {
      const k = messages.findIndex((m) => m.id === prevFirst);
      if (k > 0) index -= k;
    }
    anchor.current = { firstId, index };
  }

  // The unread divider sits above the first message after the marker we had on opening.
  const unreadAt = useMemo(() => unreadDividerIndex(messages, lastReadId, selfId), [messages, lastReadId, selfId]);
  const unreadId = unreadAt >= 0 ? messages[unreadAt].id : null;

  const initialIndex = useMemo(() => {
    if (target !== null) {
      const i = messages.findIndex((m) => m.id === target);
      if (i >= 0) return { index: i, align: 'center' as const };
    }
    if (unreadAt > 0) return { index: unreadAt - 1, align: 'start' as const };
    return { index: Math.max(0, rows.length - 1), align: 'end' as const };
    // Only the first render matters to Virtuoso (the list is keyed by view).
  }, []);

  const onBottomChange = (bottom: boolean) => {
    setAtBottom(bottom);
    setLeftAt(bottom ? null : messages.length ? messages[messages.length - 1].id : 0);
    reportSeen();
  };

  if (rows.length === 0) {
    return (
      <div className="message-list empty" data-testid="message-list">
        <p className="pane-empty">No messages yet. Say hello!</p>
      </div>
    );
  }

  return (
    <div className="message-list" data-testid="message-list" role="log" aria-label="Messages" aria-live="polite" ref={box}>
      <Virtuoso
        ref={virtuoso}
        className="message-scroller"
        data={rows}
        firstItemIndex={anchor.current.index}
        initialTopMostItemIndex={initialIndex}
        computeItemKey={(_, row) => row.key}
        startReached={() => {
          if (state.hasMoreBefore) void loadOlder(roomId).catch(() => undefined);
        }}
        endReached={() => {
          if (state.hasMoreAfter) void loadNewer(roomId).catch(() => undefined);
        }}
        followOutput={(bottom) => (bottom && !state.hasMoreAfter ? 'smooth' : false)}
        atBottomStateChange={onBottomChange}
        itemsRendered={() => requestAnimationFrame(reportSeen)}
        rangeChanged={() => requestAnimationFrame(reportSeen)}
        atBottomThreshold={80}
        increaseViewportBy={{ top: 400, bottom: 200 }}
        components={{
          Header: () =>
            state.hasMoreBefore ? (
              <div className="list-edge" aria-hidden="true">
                Loading older messages…
              </div>
            ) : (
              <div className="list-edge room-start">This is the start of the room.</div>
            ),
        }}
        itemContent={(_, row) =>
          row.kind === 'message' ? (
            <MessageItem
              message={row.message}
              prev={row.prev}
              showDate={row.prev === null || needsDateDivider([row.prev, row.message], 1)}
              showUnread={row.message.id === unreadId}
              highlighted={row.message.id === target}
              selfId={selfId}
              canModerate={canModerate}
              onReply={onReply}
              onJump={onJump}
            />
          ) : (
            <PendingItem pending={row.pending} />
          )
        }
      />
      {newCount > 0 && <NewMessagesJump count={newCount} onJump={() => virtuoso.current?.scrollToIndex({ index: 'LAST', behavior: 'auto' })} />}
    </div>
  );
}
