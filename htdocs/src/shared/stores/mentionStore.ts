// Mention counts per room and per group (conversations are groups too),
// apart from unread counts: seeded from REST (mention_count of GET
// /groups, GET /groups/{id} and the conversations list), moved by
// `mention.created` events and cleared when a room is read.

import { create } from 'zustand';
import type { Id } from '@/shared/api/types';

interface RoomMentions {
  groupId: Id;
  count: number;
  /** Message ids already counted, so a replayed event counts once. */
  seen: Id[];
}

interface SeedRoom {
  id: Id;
  mention_count?: number;
}

interface MentionState {
  rooms: Record<Id, RoomMentions>;
  groups: Record<Id, number>;
  seedGroups: (groups: { id: Id; mention_count?: number }[]) => void;
  seedGroup: (groupId: Id, rooms: SeedRoom[]) => void;
  seedConversations: (list: { id: Id; room_id: Id; mention_count: number }[]) => void;
  /** A mention of the caller arrived; not counted while that room is viewed. */
  onMention: (groupId: Id, roomId: Id, messageId: Id, viewing: boolean) => void;
  markRead: (roomId: Id) => void;
  reset: () => void;
}

export const useMentionStore = create<MentionState>()((set, get) => ({
  rooms: {},
  groups: {},

  seedGroups: (groups) =>
    set((s) => {
      const next = { ...s.groups };
      for (const g of groups) next[g.id] = Math.max(0, g.mention_count ?? 0);
      return { groups: next };
    }),

  seedGroup: (groupId, list) =>
    set((s) => {
      const rooms = { ...s.rooms };
      let total = 0;
      for (const r of list) {
        const count = Math.max(0, r.mention_count ?? 0);
        rooms[r.id] = { groupId, count, seen: rooms[r.id]?.seen ?? [] };
        total += count;
      }
      return { rooms, groups: { ...s.groups, [groupId]: total } };
    }),

  seedConversations: (list) =>
    set((s) => {
      const rooms = { ...s.rooms };
      const groups = { ...s.groups };
      for (const c of list) {
        rooms[c.room_id] = { groupId: c.id, count: c.mention_count, seen: rooms[c.room_id]?.seen ?? [] };
        groups[c.id] = c.mention_count;
      }
      return { rooms, groups };
    }),

  onMention: (groupId, roomId, messageId, viewing) => {
    const room = get().rooms[roomId] ?? { groupId, count: 0, seen: [] };
    if (room.seen.includes(messageId) || viewing) return;
    set((s) => ({
      rooms: { ...s.rooms, [roomId]: { groupId, count: room.count + 1, seen: [...room.seen.slice(-50), messageId] } },
      groups: { ...s.groups, [groupId]: (s.groups[groupId] ?? 0) + 1 },
    }));
  },

  markRead: (roomId) =>
    set((s) => {
      const room = s.rooms[roomId];
      if (!room || room.count === 0) return {};
      return {
        rooms: { ...s.rooms, [roomId]: { ...room, count: 0 } },
        groups: { ...s.groups, [room.groupId]: Math.max(0, (s.groups[room.groupId] ?? 0) - room.count) },
      };
    }),

  reset: () => set({ rooms: {}, groups: {} }),
}));
