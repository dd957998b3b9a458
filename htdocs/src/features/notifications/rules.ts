// The notification rules of the SPA, kept free of React and the DOM: the
// effective level of a room (the same rules as the server's
// notify_level(), db/functions/35_notify.sql), whether a message raises a
// desktop notification, what it says, and the tab title's count.

import type { components } from '@/shared/api/schema.gen';

export type NotificationSettings = components['schemas']['NotificationSettings'];
export type NotifyLevel = components['schemas']['NotifyLevel'];
export type MutedUntil = components['schemas']['MutedUntil'];

/** Built-in defaults (also what is used until the settings are loaded). */
export const DEFAULT_SETTINGS: NotificationSettings = {
  defaults: { group_level: 'mentions', dm_level: 'all', hide_text: false, sound: true },
  groups: [],
  rooms: [],
};

export interface RoomRef {
  roomId: number;
  groupId: number;
  isDm: boolean;
}

/** A mute that still holds at `now` (ms since the epoch). */
export function isMuted(until: MutedUntil | undefined, now: number): boolean {
  if (!until) return false;
  if (until === 'forever') return true;
  const t = Date.parse(until);
  return Number.isFinite(t) && t > now;
}

/** room -> group -> my default for DMs or group rooms; muted -> none. */
export function effectiveLevel(s: NotificationSettings, room: RoomRef, now: number): NotifyLevel {
  const r = s.rooms.find((x) => x.room_id === room.roomId);
  const g = s.groups.find((x) => x.group_id === room.groupId);
  if (isMuted(r?.muted_until, now) || isMuted(g?.muted_until, now)) return 'none';
  return r?.level ?? g?.level ?? (room.isDm ? s.defaults.dm_level : s.defaults.group_level);
}

export interface Incoming {
  room: RoomRef;
  senderId: number | null;
  /** The message mentions me (a mention.created came for it). */
  mention: boolean;
}

/**
 * Whether a message should notify: never my own nor a blocked sender's;
 * `all` every message, `mentions` mentions and DMs, `none` nothing.
 */
export function shouldNotify(s: NotificationSettings, m: Incoming, selfId: number | null, blocked: ReadonlySet<number>, now: number): boolean {
  if (m.senderId !== null && (m.senderId === selfId || blocked.has(m.senderId))) return false;
  const level = effectiveLevel(s, m.room, now);
  if (level === 'all') return true;
  if (level === 'mentions') return m.mention || m.room.isDm;
  return false;
}

export interface NotificationText {
  title: string;
  body: string;
}

const BODY_MAX = 140;

/** Who and where; the text only when the user did not hide it. */
export function notificationText(o: { sender: string; place: string | null; text: string; mention: boolean; hideText: boolean }): NotificationText {
  const title = o.place ? `${o.sender} in ${o.place}` : o.sender;
  if (o.hideText) return { title, body: o.mention ? 'mentioned you' : 'New message' };
  const flat = o.text.replace(/\s+/g, ' ').trim();
  const body = flat.length > BODY_MAX ? `${flat.slice(0, BODY_MAX - 1)}…` : flat;
  return { title, body: body || 'New message' };
}

export const APP_TITLE = 'Easy Chat';

/** "(3) Easy Chat", or the bare name at 0. */
export function titleWithCount(count: number, base = APP_TITLE): string {
  return count > 0 ? `(${count > 999 ? '999+' : count}) ${base}` : base;
}

export type MuteChoice = '1h' | '8h' | '24h' | 'forever';

export const MUTE_CHOICES: { value: MuteChoice; label: string }[] = [
  { value: '1h', label: 'For 1 hour' },
  { value: '8h', label: 'For 8 hours' },
  { value: '24h', label: 'For 24 hours' },
  { value: 'forever', label: 'Until I unmute' },
];

/** The muted_until to send for a choice made at `now`. */
export function muteUntil(choice: MuteChoice, now: number): string {
  if (choice === 'forever') return 'forever';
  const hours = { '1h': 1, '8h': 8, '24h': 24 }[choice];
  return new Date(now + hours * 3600e3).toISOString();
}

/** The level a whole group gets (group setting, then my default; its
 * rooms' own settings aside): what the title count follows. */
export function groupLevel(s: NotificationSettings, groupId: number, isDm: boolean, now: number): NotifyLevel {
  const g = s.groups.find((x) => x.group_id === groupId);
  if (isMuted(g?.muted_until, now)) return 'none';
  return g?.level ?? (isDm ? s.defaults.dm_level : s.defaults.group_level);
}

/**
 * The tab title's count: per group (conversations too), its unread
 * messages where it notifies of all (and in DMs at `mentions`), its
 * mentions where it notifies of mentions, nothing where muted or `none`.
 */
export function titleCount(
  s: NotificationSettings,
  unread: Record<number, number>,
  mentions: Record<number, number>,
  isDm: (groupId: number) => boolean,
  now: number,
): number {
  const ids = new Set([...Object.keys(unread), ...Object.keys(mentions)].map(Number));
  let total = 0;
  for (const id of ids) {
    const dm = isDm(id);
    const level = groupLevel(s, id, dm, now);
    if (level === 'all' || (level === 'mentions' && dm)) total += unread[id] ?? 0;
    else if (level === 'mentions') total += mentions[id] ?? 0;
  }
  return total;
}
