// Pure merge-by-id logic for message lists. Every path that brings messages
// in (first page, older pages, websocket events, catch-up after a reconnect,
// the answer to our own POST) goes through here, so a message is shown once,
// in id order, in its newest version, and never comes back once deleted.

import type { Id, Message } from '@/shared/api/types';
import { senderOf } from '@/shared/api/types';

export type PendingStatus = 'pending' | 'failed';

/** A message we sent that the server has not confirmed yet. */
export interface PendingMessage {
  nonce: string;
  room_id: Id;
  text: string;
  reply_to: Message['reply_to'];
  created_at: string;
  status: PendingStatus;
  error?: string;
  /** The failure was the connection's, not a refusal: resent after a reconnect. */
  retryable?: boolean;
  /** Uploads sent with it (attachments.ts). */
  attachment_ids?: Id[];
}

/** True when `a` is the same version as `b` or a later one. */
export function isSameOrNewer(a: Message, b: Message): boolean {
  if (a.edited_at === b.edited_at) return true;
  if (a.edited_at === null) return false;
  if (b.edited_at === null) return true;
  return a.edited_at >= b.edited_at; // fixed-width ISO timestamps sort as strings
}

/**
 * Merges `incoming` into `existing` (ascending by id) and returns a new
 * ascending list without duplicates. A copy only replaces the one we hold if
 * it is the same version or newer (a stale page can't undo an edit); ids in
 * `deleted` are dropped. Returns `existing` itself when nothing changed.
 */
export function mergeMessages(
  existing: readonly Message[],
  incoming: readonly Message[],
  deleted?: ReadonlySet<Id>,
): Message[] {
  if (incoming.length === 0) return existing as Message[];
  const byId = new Map<Id, Message>();
  for (const m of existing) byId.set(m.id, m);
  let changed = false;
  for (const m of incoming) {
    if (deleted && deleted.has(m.id)) continue;
    const have = byId.get(m.id);
    if (have === undefined) {
      byId.set(m.id, m);
      changed = true;
    } else if (have !== m && isSameOrNewer(m, have) && !sameContent(have, m)) {
      byId.set(m.id, m);
      changed = true;
    }
  }
  if (!changed) return existing as Message[];
  return Array.from(byId.values()).sort((a, b) => a.id - b.id);
}

function sameContent(a: Message, b: Message): boolean {
  return (
    a.text === b.text &&
    a.edited_at === b.edited_at &&
    senderOf(a).full_name === senderOf(b).full_name &&
    senderOf(a).icon_url === senderOf(b).icon_url &&
    (a.reply_to?.text ?? null) === (b.reply_to?.text ?? null) &&
    // Reactions and pins (issue 13) change a message without an edit.
    a.pinned_at === b.pinned_at &&
    JSON.stringify(a.reactions) === JSON.stringify(b.reactions) &&
    (a.reply_to?.deleted ?? false) === (b.reply_to?.deleted ?? false)
  );
}

/** Drops pending messages that the server has confirmed (same nonce). */
export function reconcilePending(pending: readonly PendingMessage[], confirmed: readonly Message[]): PendingMessage[] {
  if (pending.length === 0) return pending as PendingMessage[];
  const nonces = new Set<string>();
  for (const m of confirmed) if (m.nonce) nonces.add(m.nonce);
  if (nonces.size === 0) return pending as PendingMessage[];
  const left = pending.filter((p) => !nonces.has(p.nonce));
  return left.length === pending.length ? (pending as PendingMessage[]) : left;
}

/** Removes one message by id, and marks the quotes of replies to it as
 * deleted (as the server renders them); returns `list` itself when
 * nothing changed. */
export function removeMessage(list: readonly Message[], id: Id): Message[] {
  let changed = false;
  const out: Message[] = [];
  for (const m of list) {
    if (m.id === id) {
      changed = true;
      continue;
    }
    if (m.reply_to && m.reply_to.id === id && !m.reply_to.deleted) {
      changed = true;
      out.push({ ...m, reply_to: { ...m.reply_to, text: null, deleted: true } });
      continue;
    }
    out.push(m);
  }
  return changed ? out : (list as Message[]);
}

/** The parts of a user that messages show. */
export interface SenderUpdate {
  id: Id;
  username: string;
  full_name: string;
  icon_url: string | null;
}

/** Applies a user's new name or icon to the messages they sent; returns
 * `list` itself when none of them changes. */
export function applySender(list: readonly Message[], u: SenderUpdate): Message[] {
  let changed = false;
  const out = list.map((m) => {
    const s = m.sender;
    if (!s || s.id !== u.id) return m;
    if (s.username === u.username && s.full_name === u.full_name && s.icon_url === u.icon_url) return m;
    changed = true;
    return { ...m, sender: { ...s, username: u.username, full_name: u.full_name, icon_url: u.icon_url } };
  });
  return changed ? out : (list as Message[]);
}

/** Applies an edit to the message and to reply previews that quote it. */
export function applyUpdate(list: readonly Message[], updated: Message): Message[] {
  let changed = false;
  const out = list.map((m) => {
    if (m.id === updated.id) {
      if (!isSameOrNewer(updated, m) || sameContent(m, updated)) return m;
      changed = true;
      return updated;
    }
    if (m.reply_to && m.reply_to.id === updated.id && m.reply_to.text !== updated.text) {
      changed = true;
      return { ...m, reply_to: { ...m.reply_to, text: updated.text } };
    }
    return m;
  });
  return changed ? out : (list as Message[]);
}

export function lastMessageId(list: readonly Message[]): Id | null {
  return list.length ? list[list.length - 1].id : null;
}

export function firstMessageId(list: readonly Message[]): Id | null {
  return list.length ? list[0].id : null;
}

/** Calendar day key in local time, for date dividers. */
export function dayKey(iso: string): string {
  const d = new Date(iso);
  return `${d.getFullYear()}-${d.getMonth() + 1}-${d.getDate()}`;
}

/** True when a date divider belongs above message `i` of `list`. */
export function needsDateDivider(list: readonly { created_at: string }[], i: number): boolean {
  if (i === 0) return true;
  return dayKey(list[i].created_at) !== dayKey(list[i - 1].created_at);
}

/** Index of the first message after the read marker, or -1. */
export function unreadDividerIndex(list: readonly Message[], lastReadId: Id | null, selfId: Id | null): number {
  if (lastReadId === null) return -1;
  const i = list.findIndex((m) => m.id > lastReadId && senderOf(m).id !== selfId);
  return i;
}
