// Desktop notifications in the open app: fed the relay's message.created
// and mention.created frames by app/realtime.ts; shows one Notification
// per message that the settings say to notify of, only while the tab is
// hidden and the browser allowed it. A mention can arrive before or after
// its message.created (two channels), so both paths meet in `shown`.

import type { QueryClient } from '@tanstack/react-query';
import type { GroupDetail, GroupSummary, Id, Message } from '@/shared/api/types';
import { senderOf } from '@/shared/api/types';
import { blocksKey, conversationsKey, conversationTitle, type Conversation, type UserSummary } from '@/shared/api/dms';
import { fetchGroup, findRoom, groupKey, groupsKey } from '@/shared/api/groups';
import { cachedSettings } from './api';
import { permission } from './permission';
import { notificationText, shouldNotify } from './rules';
import { playChime } from './sound';

export interface NotifierContext {
  qc: QueryClient;
  selfId: () => Id | null;
  /** Open a path in the app (the router's navigate). */
  open: (path: string) => void;
  isPageVisible?: () => boolean;
}

/** Message ids already notified (or decided against as mentions). */
const shown = new Set<Id>();
const SHOWN_MAX = 500;

function remember(id: Id): void {
  shown.add(id);
  if (shown.size > SHOWN_MAX) shown.delete(shown.values().next().value as Id);
}

function hidden(ctx: NotifierContext): boolean {
  if (ctx.isPageVisible) return !ctx.isPageVisible();
  return typeof document !== 'undefined' && document.visibilityState !== 'visible';
}

function conversation(qc: QueryClient, groupId: Id): Conversation | undefined {
  return qc.getQueryData<Conversation[]>(conversationsKey)?.find((c) => c.id === groupId);
}

/** A conversation: listed as one, or not one of my (listed) groups. */
function isDm(qc: QueryClient, groupId: Id): boolean {
  if (conversation(qc, groupId)) return true;
  const groups = qc.getQueryData<GroupSummary[]>(groupsKey);
  return groups !== undefined && !groups.some((g) => g.id === groupId);
}

/** "#room (Group)" (the group is fetched once when not held), a group
 * conversation's names, or null for a 1:1. */
async function place(qc: QueryClient, groupId: Id, roomId: Id, dm: boolean): Promise<string | null> {
  if (dm) {
    const c = conversation(qc, groupId);
    return c && c.is_group ? conversationTitle(c, -1) : null;
  }
  const detail = await qc.ensureQueryData<GroupDetail>({ queryKey: groupKey(groupId), queryFn: () => fetchGroup(groupId) }).catch(() => undefined);
  const room = detail ? findRoom(detail, roomId) : null;
  const group = detail?.name ?? qc.getQueryData<GroupSummary[]>(groupsKey)?.find((g) => g.id === groupId)?.name;
  if (room && group) return `#${room.name} (${group})`;
  return group ?? null;
}

async function maybeNotify(groupId: Id, m: Message, mention: boolean, ctx: NotifierContext): Promise<void> {
  const { qc } = ctx;
  if (shown.has(m.id)) return;
  const dm = isDm(qc, groupId);
  const s = cachedSettings(qc);
  const blocked = new Set((qc.getQueryData<UserSummary[]>(blocksKey) ?? []).map((u) => u.id));
  const sender = senderOf(m);
  const senderId = m.sender ? sender.id : null;
  if (!shouldNotify(s, { room: { roomId: m.room_id, groupId, isDm: dm }, senderId, mention }, ctx.selfId(), blocked, Date.now())) return;
  remember(m.id);
  if (!hidden(ctx) || permission() !== 'granted') return;
  const text = notificationText({
    sender: sender.full_name || sender.username,
    place: await place(qc, groupId, m.room_id, dm),
    text: m.text,
    mention,
    hideText: s.defaults.hide_text,
  });
  const path = dm ? `/dm/${groupId}?m=${m.id}` : `/g/${groupId}/r/${m.room_id}?m=${m.id}`;
  try {
    const n = new window.Notification(text.title, { body: text.body, tag: `message-${m.id}`, icon: '/favicon.svg' });
    n.onclick = () => {
      window.focus();
      ctx.open(path);
      n.close();
    };
  } catch {
    return; // some browsers allow notifications only from a service worker
  }
  if (s.defaults.sound) playChime();
}

/** message.created: notifies where every message (or every DM) counts;
 * a mention of me is left to its mention.created. */
export function notifyMessage(groupId: Id, m: Message, ctx: NotifierContext): Promise<void> {
  return maybeNotify(groupId, m, false, ctx);
}

/** mention.created: notifies unless the message did already. */
export function notifyMention(groupId: Id, m: Message, ctx: NotifierContext): Promise<void> {
  return maybeNotify(groupId, m, true, ctx);
}

/** For tests: forget what was shown. */
export function resetNotifier(): void {
  shown.clear();
}
