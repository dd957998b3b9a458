import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, effectiveLevel, isMuted, muteUntil, notificationText, shouldNotify, titleCount, titleWithCount, type NotificationSettings } from './rules';

const NOW = Date.parse('2026-12-06T10:00:00Z');
const room = { roomId: 10, groupId: 1, isDm: false };
const dm = { roomId: 20, groupId: 2, isDm: true };

function with_(patch: Partial<NotificationSettings>): NotificationSettings {
  return { ...DEFAULT_SETTINGS, ...patch };
}

describe('effectiveLevel', () => {
  it('uses the built-in defaults: DMs all, group rooms mentions', () => {
    expect(effectiveLevel(DEFAULT_SETTINGS, room, NOW)).toBe('mentions');
    expect(effectiveLevel(DEFAULT_SETTINGS, dm, NOW)).toBe('all');
  });
  it('room over group over my default; null inherits', () => {
    const s = with_({
      defaults: { ...DEFAULT_SETTINGS.defaults, group_level: 'none' },
      groups: [{ group_id: 1, level: 'all', muted_until: null }],
      rooms: [{ room_id: 10, group_id: 1, level: null, muted_until: null }],
    });
    expect(effectiveLevel(s, room, NOW)).toBe('all');
    s.rooms[0].level = 'mentions';
    expect(effectiveLevel(s, room, NOW)).toBe('mentions');
    expect(effectiveLevel(s, { roomId: 11, groupId: 3, isDm: false }, NOW)).toBe('none');
  });
  it('a mute of the room or its group is none until it runs out', () => {
    const s = with_({ groups: [{ group_id: 1, level: 'all', muted_until: '2026-12-06T11:00:00Z' }] });
    expect(effectiveLevel(s, room, NOW)).toBe('none');
    expect(effectiveLevel(s, room, NOW + 2 * 3600e3)).toBe('all');
    const f = with_({ rooms: [{ room_id: 20, group_id: 2, level: 'all', muted_until: 'forever' }] });
    expect(effectiveLevel(f, dm, NOW + 1e12)).toBe('none');
  });
});

describe('isMuted', () => {
  it('reads null, forever, past and future', () => {
    expect(isMuted(null, NOW)).toBe(false);
    expect(isMuted('forever', NOW)).toBe(true);
    expect(isMuted('2026-12-06T09:00:00Z', NOW)).toBe(false);
    expect(isMuted('2026-12-06T10:00:01Z', NOW)).toBe(true);
  });
});

describe('shouldNotify', () => {
  const none = new Set<number>();
  it('mentions level: mentions and DMs only', () => {
    expect(shouldNotify(DEFAULT_SETTINGS, { room, senderId: 5, mention: false }, 1, none, NOW)).toBe(false);
    expect(shouldNotify(DEFAULT_SETTINGS, { room, senderId: 5, mention: true }, 1, none, NOW)).toBe(true);
    const s = with_({ rooms: [{ room_id: 20, group_id: 2, level: 'mentions', muted_until: null }] });
    expect(shouldNotify(s, { room: dm, senderId: 5, mention: false }, 1, none, NOW)).toBe(true);
  });
  it('never my own, never a blocked sender, nothing when muted', () => {
    expect(shouldNotify(DEFAULT_SETTINGS, { room: dm, senderId: 1, mention: false }, 1, none, NOW)).toBe(false);
    expect(shouldNotify(DEFAULT_SETTINGS, { room: dm, senderId: 5, mention: true }, 1, new Set([5]), NOW)).toBe(false);
    const s = with_({ rooms: [{ room_id: 20, group_id: 2, level: null, muted_until: 'forever' }] });
    expect(shouldNotify(s, { room: dm, senderId: 5, mention: true }, 1, none, NOW)).toBe(false);
  });
  it('all: every message of others', () => {
    const s = with_({ groups: [{ group_id: 1, level: 'all', muted_until: null }] });
    expect(shouldNotify(s, { room, senderId: 5, mention: false }, 1, none, NOW)).toBe(true);
  });
});

describe('notificationText', () => {
  it('says who, where and what', () => {
    expect(notificationText({ sender: 'Ann', place: '#general', text: 'hi\n there', mention: false, hideText: false })).toEqual({ title: 'Ann in #general', body: 'hi there' });
  });
  it('leaves the text out when asked', () => {
    expect(notificationText({ sender: 'Ann', place: null, text: 'secret', mention: true, hideText: true })).toEqual({ title: 'Ann', body: 'mentioned you' });
  });
  it('cuts long text', () => {
    const t = notificationText({ sender: 'A', place: null, text: 'x'.repeat(500), mention: false, hideText: false });
    expect(t.body.length).toBe(140);
  });
});

describe('titleWithCount and muteUntil', () => {
  it('counts in the title', () => {
    expect(titleWithCount(0)).toBe('Easy Chat');
    expect(titleWithCount(3)).toBe('(3) Easy Chat');
    expect(titleWithCount(5000)).toBe('(999+) Easy Chat');
  });
  it('mutes from now', () => {
    expect(muteUntil('1h', NOW)).toBe('2026-12-06T11:00:00.000Z');
    expect(muteUntil('24h', NOW)).toBe('2026-12-07T10:00:00.000Z');
    expect(muteUntil('forever', NOW)).toBe('forever');
  });
});

describe('titleCount', () => {
  it('counts unread where all (and DMs), mentions where mentions, nothing when muted', () => {
    const isDm = (id: number) => id === 2;
    const unread = { 1: 7, 2: 3, 4: 5 };
    const mentions = { 1: 1, 2: 1, 4: 2 };
    expect(titleCount(DEFAULT_SETTINGS, unread, mentions, isDm, NOW)).toBe(1 + 3 + 2);
    const s = with_({ groups: [{ group_id: 1, level: 'all', muted_until: null }, { group_id: 4, level: null, muted_until: 'forever' }] });
    expect(titleCount(s, unread, mentions, isDm, NOW)).toBe(7 + 3);
  });
});
