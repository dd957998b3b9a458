import { beforeEach, describe, expect, it } from 'vitest';
import type { GroupDetail } from '@/shared/api/types';
import { useUnreadStore } from '@/shared/stores/unreadStore';

const s = () => useUnreadStore.getState();

function detail(): GroupDetail {
  return {
    id: 7,
    name: 'g',
    description: '',
    category: 'Undefined',
    is_public: true,
    icon_url: null,
    wallpaper_url: null,
    my_role: 'member',
    member_count: 2,
    online_count: 1,
    topics: [
      {
        id: 1,
        name: 'General',
        rooms: [
          { id: 100, name: 'home', description: '', unread_count: 2, last_message_id: 50, last_read_id: 48 },
          { id: 101, name: 'off', description: '', unread_count: 0, last_message_id: 10, last_read_id: 10 },
        ],
      },
    ],
  };
}

beforeEach(() => s().reset());

describe('unread store', () => {
  it('seeds group counts from the group list and rooms from the detail', () => {
    s().seedGroups([{ id: 7, name: 'g', icon_url: null, my_role: 'member', has_unread: true, unread_count: 5 }]);
    expect(s().groups[7]).toBe(5);
    s().seedGroup(detail());
    expect(s().rooms[100].count).toBe(2);
    expect(s().groups[7]).toBe(2);
  });

  it('counts new messages from others in rooms not being viewed, once per id', () => {
    s().seedGroup(detail());
    expect(s().onMessage(7, 101, 11, { mine: false, viewing: false })).toBe(true);
    expect(s().onMessage(7, 101, 11, { mine: false, viewing: false })).toBe(false);
    expect(s().onMessage(7, 101, 9, { mine: false, viewing: false })).toBe(false); // older than seen
    expect(s().rooms[101].count).toBe(1);
    expect(s().groups[7]).toBe(3);
  });

  it('does not count messages in the viewed room, and own messages clear the room', () => {
    s().seedGroup(detail());
    s().onMessage(7, 101, 11, { mine: false, viewing: true });
    expect(s().rooms[101].count).toBe(0);
    s().onMessage(7, 100, 51, { mine: true, viewing: false });
    expect(s().rooms[100].count).toBe(0);
    expect(s().groups[7]).toBe(0);
  });

  it('counts rooms of groups whose detail was never loaded', () => {
    s().onMessage(9, 900, 1, { mine: false, viewing: false });
    s().onMessage(9, 900, 2, { mine: false, viewing: false });
    expect(s().groups[9]).toBe(2);
  });

  it('markRead subtracts the room from its group', () => {
    s().seedGroup(detail());
    s().onMessage(7, 101, 11, { mine: false, viewing: false });
    s().markRead(100, 50);
    expect(s().rooms[100].count).toBe(0);
    expect(s().groups[7]).toBe(1);
    s().markRead(101);
    expect(s().groups[7]).toBe(0);
  });
});
