import { beforeEach, describe, expect, it } from 'vitest';
import { useMentionStore } from '@/shared/stores/mentionStore';

const s = () => useMentionStore.getState();

describe('mentionStore', () => {
  beforeEach(() => s().reset());

  it('seeds groups and rooms from REST and keeps them apart', () => {
    s().seedGroups([{ id: 1, mention_count: 2 }, { id: 2 }]);
    expect(s().groups).toEqual({ 1: 2, 2: 0 });
    s().seedGroup(1, [{ id: 10, mention_count: 1 }, { id: 11, mention_count: 2 }]);
    expect(s().groups[1]).toBe(3);
    expect(s().rooms[11].count).toBe(2);
  });

  it('counts a live mention once, not while the room is viewed, and clears on read', () => {
    s().seedConversations([{ id: 5, room_id: 50, mention_count: 0 }]);
    s().onMention(5, 50, 100, false);
    s().onMention(5, 50, 100, false);
    expect(s().groups[5]).toBe(1);
    s().onMention(5, 50, 101, true);
    expect(s().rooms[50].count).toBe(1);
    s().markRead(50);
    expect(s().groups[5]).toBe(0);
    expect(s().rooms[50].count).toBe(0);
  });
});
