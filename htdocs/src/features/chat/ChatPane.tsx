// The chat pane of one room: header, message list, typing indicator and
// composer. Keyed by room id, so each room starts fresh.

import { useCallback, useEffect, useRef, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import type { GroupDetail, Message, RoomSummary } from '@/shared/api/types';
import { useSelf } from '@/shared/api/auth';
import { roleAtLeast } from '@/shared/api/groups';
import { useUnreadStore } from '@/shared/stores/unreadStore';
import { useMentionStore } from '@/shared/stores/mentionStore';
import { useChatStore, emptyRoom } from './store';
import { loadAround, openRoom } from './sync';
import { takePrefetchedRoom } from './prefetch';
import { markRoomRead } from './api';
import { lastMessageId } from './merge';
import { useViewStore } from './viewStore';
import { MessageList } from './MessageList';
import { Composer } from './Composer';
import { TypingIndicator } from './TypingIndicator';
import { PinnedButton } from './PinnedButton';
import { UnreadBanner } from './UnreadBanner';

/** Read markers we moved in this session (the cached group detail lags). */
const readMarkers = new Map<number, number>();

/** `title` names a direct conversation (its header shows @ and the names, not # and the room). */
export function ChatPane({ group, room, title }: { group: GroupDetail; room: RoomSummary; title?: string }) {
  const me = useSelf();
  const [params, setParams] = useSearchParams();
  const target = params.get('m') ? Number(params.get('m')) : null;
  const state = useChatStore((s) => s.rooms[room.id]) ?? emptyRoom();
  const [replyTo, setReplyTo] = useState<Message | null>(null);
  const [loadError, setLoadError] = useState('');
  const [readyFor, setReadyFor] = useState<string | null>(null);
  const [lastReadAtOpen] = useState(() => Math.max(room.last_read_id ?? 0, readMarkers.get(room.id) ?? 0) || null);
  const canModerate = roleAtLeast(group.my_role, 'moderator');
  const viewKey = target === null ? 'live' : `m${target}`;

  useEffect(() => {
    useViewStore.getState().setRoom(room.id);
    return () => useViewStore.getState().setRoom(null);
  }, [room.id]);

  useEffect(() => {
    let cancelled = false;
    setLoadError('');
    const p = target !== null ? loadAround(room.id, target) : (takePrefetchedRoom(room.id) ?? openRoom(room.id));
    p.then(
      () => !cancelled && setReadyFor(viewKey),
      () => !cancelled && setLoadError('Could not load messages.'),
    );
    return () => {
      cancelled = true;
    };
  }, [room.id, target, viewKey]);

  // Move the read marker as far as messages have been on screen (not as
  // far as loaded: a message link shows a window in the middle).
  const [seenId, setSeenId] = useState(0);
  const onSeen = useCallback((id: number) => setSeenId((s) => (id > s ? id : s)), []);
  const postedRef = useRef(0);
  useEffect(() => {
    if (seenId === 0) return;
    const mark = () => {
      if (document.visibilityState !== 'visible' || seenId <= postedRef.current) return;
      if (seenId <= (readMarkers.get(room.id) ?? 0)) return;
      postedRef.current = seenId;
      readMarkers.set(room.id, seenId);
      useUnreadStore.getState().markRead(room.id, seenId);
      useMentionStore.getState().markRead(room.id);
      markRoomRead(room.id, seenId).catch(() => {
        postedRef.current = 0;
      });
    };
    const t = setTimeout(mark, 400);
    document.addEventListener('visibilitychange', mark);
    return () => {
      clearTimeout(t);
      document.removeEventListener('visibilitychange', mark);
    };
  }, [seenId, room.id]);

  // "N new since HH:MM · Mark as read": what was unread when the room was opened.
  const [unreadAtOpen] = useState(() => (target === null ? (useUnreadStore.getState().rooms[room.id]?.count ?? room.unread_count ?? 0) : 0));
  const [bannerClosed, setBannerClosed] = useState(false);
  const markAllRead = () => {
    setBannerClosed(true);
    const last = Math.max(lastMessageId(state.messages) ?? 0, room.last_message_id ?? 0);
    if (last <= 0) return;
    postedRef.current = Math.max(postedRef.current, last);
    readMarkers.set(room.id, last);
    useUnreadStore.getState().markRead(room.id, last);
    void markRoomRead(room.id, last).catch(() => undefined);
  };

  const jumpToPresent = () => setParams({}, { replace: true });
  const ready = readyFor === viewKey && state.loaded;

  return (
    <main className="chat-pane" aria-label={`Room ${room.name}`} data-testid="chat-pane" data-room-id={room.id}>
      <header className="pane-header">
        <span className="room-hash" aria-hidden="true">
          {title ? '@' : '#'}
        </span>
        <h2 className="pane-title" data-testid="room-title">
          {title ?? room.name}
        </h2>
        {room.description && <span className="pane-desc">{room.description}</span>}
        <PinnedButton roomId={room.id} onJump={(id) => setParams({ m: String(id) }, { replace: false })} />
      </header>
      {ready && !bannerClosed && unreadAtOpen > 0 && target === null && (
        <UnreadBanner count={unreadAtOpen} messages={state.messages} lastReadId={lastReadAtOpen} selfId={me.id} onMarkRead={markAllRead} />
      )}
      {loadError ? (
        <div className="pane-empty" role="alert">
          {loadError}
        </div>
      ) : !ready ? (
        <div className="pane-loading" aria-busy="true">
          Loading messages…
        </div>
      ) : (
        <MessageList
          key={`${room.id}:${viewKey}`}
          roomId={room.id}
          state={state}
          selfId={me.id}
          canModerate={canModerate}
          target={target}
          lastReadId={target === null ? lastReadAtOpen : null}
          onReply={setReplyTo}
          onJump={(id) => setParams({ m: String(id) }, { replace: false })}
          onSeen={onSeen}
        />
      )}
      {state.hasMoreAfter && (
        <button type="button" className="jump-present" onClick={jumpToPresent} data-testid="jump-present">
          Jump to present
        </button>
      )}
      <TypingIndicator roomId={room.id} groupId={group.id} selfId={me.id} />
      <Composer
        room={title ? { ...room, name: title } : room}
        group={group}
        replyTo={replyTo}
        onCancelReply={() => setReplyTo(null)}
        beforeSend={() => {
          if (target !== null) jumpToPresent();
        }}
      />
    </main>
  );
}
