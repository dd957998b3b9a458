import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { QueryClient } from '@tanstack/react-query';
import { msg } from '@/test/fixtures';
import { blocksKey, conversationsKey } from '@/shared/api/dms';
import { groupKey, groupsKey } from '@/shared/api/groups';
import { notifySettingsKey } from './api';
import { notifyMention, notifyMessage, resetNotifier, type NotifierContext } from './notifier';
import { DEFAULT_SETTINGS } from './rules';

// The Notification API is the browser's: a recording stand-in (the
// browser test, tests/e2e/notifications.test.mjs, runs the real page).
class FakeNotification {
  static permission = 'granted';
  static made: FakeNotification[] = [];
  onclick: (() => void) | null = null;
  closed = false;
  constructor(
    public title: string,
    public opts: NotificationOptions,
  ) {
    FakeNotification.made.push(this);
  }
  close() {
    this.closed = true;
  }
}

let ctx: NotifierContext;
let visible = false;
const open = vi.fn();
const focus = vi.fn();

beforeEach(() => {
  resetNotifier();
  FakeNotification.made = [];
  FakeNotification.permission = 'granted';
  visible = false;
  open.mockReset();
  focus.mockReset();
  vi.stubGlobal('window', { Notification: FakeNotification, focus });
  const qc = new QueryClient();
  qc.setQueryData(groupsKey, [{ id: 1, name: 'Gamers' }]);
  qc.setQueryData(groupKey(1), { id: 1, name: 'Gamers', topics: [{ id: 3, name: 't', rooms: [{ id: 10, name: 'general' }] }] });
  qc.setQueryData(conversationsKey, [{ id: 2, room_id: 20, is_group: false, members: [] }]);
  qc.setQueryData(blocksKey, [{ id: 66, username: 'troll', full_name: '', icon_url: '' }]);
  ctx = { qc, selfId: () => 99, open, isPageVisible: () => visible };
});

afterEach(() => vi.unstubAllGlobals());

const inRoom = (id: number, sender = 10, text = 'hello') =>
  msg(id, { room_id: 10, text, sender: { id: sender, username: 'ann', full_name: 'Ann', icon_url: null } });
const inDm = (id: number, sender = 10) => msg(id, { room_id: 20, text: 'psst', sender: { id: sender, username: 'bob', full_name: 'Bob', icon_url: null } });

describe('notifier', () => {
  it('a DM notifies once, with who and what; clicking focuses and opens it', async () => {
    await notifyMessage(2, inDm(5), ctx);
    await notifyMention(2, inDm(5), ctx);
    expect(FakeNotification.made.map((n) => [n.title, n.opts.body])).toEqual([['Bob', 'psst']]);
    FakeNotification.made[0].onclick?.();
    expect(focus).toHaveBeenCalled();
    expect(open).toHaveBeenCalledWith('/dm/2?m=5');
  });

  it('a group room at the default level notifies for the mention only, whichever frame comes first', async () => {
    await notifyMessage(1, inRoom(6), ctx);
    expect(FakeNotification.made).toHaveLength(0);
    await notifyMention(1, inRoom(6), ctx);
    await notifyMention(1, inRoom(7), ctx);
    await notifyMessage(1, inRoom(7), ctx);
    expect(FakeNotification.made.map((n) => n.title)).toEqual(['Ann in #general (Gamers)', 'Ann in #general (Gamers)']);
    FakeNotification.made[0].onclick?.();
    expect(open).toHaveBeenCalledWith('/g/1/r/10?m=6');
  });

  it('nothing while the tab is visible, without permission, from myself, from a blocked user, or when muted', async () => {
    visible = true;
    await notifyMessage(2, inDm(1), ctx);
    visible = false;
    FakeNotification.permission = 'default';
    await notifyMessage(2, inDm(2), ctx);
    FakeNotification.permission = 'granted';
    await notifyMessage(2, inDm(3, 99), ctx);
    await notifyMessage(2, inDm(4, 66), ctx);
    ctx.qc.setQueryData(notifySettingsKey, { ...DEFAULT_SETTINGS, rooms: [{ room_id: 20, group_id: 2, level: null, muted_until: 'forever' }] });
    await notifyMention(2, inDm(8), ctx);
    expect(FakeNotification.made).toHaveLength(0);
  });

  it('level all notifies every message; hide_text keeps the text out', async () => {
    ctx.qc.setQueryData(notifySettingsKey, {
      defaults: { ...DEFAULT_SETTINGS.defaults, hide_text: true, sound: false },
      groups: [{ group_id: 1, level: 'all', muted_until: null }],
      rooms: [],
    });
    await notifyMessage(1, inRoom(9, 10, 'secret plans'), ctx);
    expect(FakeNotification.made.map((n) => [n.title, n.opts.body])).toEqual([['Ann in #general (Gamers)', 'New message']]);
  });
});
