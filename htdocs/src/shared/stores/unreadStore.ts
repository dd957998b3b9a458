// Unread counts per room and per group, seeded from REST (GET /groups,
// GET /groups/{id}) and moved by websocket events. A message id is counted
// at most once per room, so a duplicate or replayed event changes nothing.

import { create } from 'zustand';
import type { GroupDetail, GroupSummary, Id } from '@/shared/api/types';

interface RoomUnread {
  groupId: Id;
  count: number;
  /** Highest message id already seen (counted or read) in this room. */
  seenId: Id;
}

/** What the conversation list says of one conversation's unread state. */
export interface ConversationUnread {
  id: Id;
  room_id: Id;
  last_message_id: Id;
  unread_count: number;
}

interface UnreadState {
  rooms: Record<Id, RoomUnread>;
  groups: Record<Id, number>;
  seedGroups: (groups: GroupSummary[]) => void;
  seedGroup: (group: GroupDetail) => void;
  /**
   * Direct conversations (GET /users/me/conversations): each one's room is
   * seeded with the server's count up to its last message, so that
   * message's late `message.created` is not counted again. A room whose
   * events or reads here already reached that message keeps its own count
   * (as new as the server's, and it knows of a read still being posted).
   */
  seedConversations: (convs: ConversationUnread[]) => void;
  /**
   * A new message; counted unless it is ours, the room is being viewed, or
   * its id was seen already. Returns true when it was counted.
   */
  onMessage: (groupId: Id, roomId: Id, messageId: Id, opts: { mine: boolean; viewing: boolean }) => boolean;
  /** The room was read up to `messageId` (or entirely). */
  markRead: (roomId: Id, messageId?: Id) => void;
  forgetGroup: (groupId: Id) => void;
  reset: () => void;
}

export const useUnreadStore = create<UnreadState>()((set, get) => ({
  rooms: {},
  groups: {},

  seedGroups: (groups) =>
    set(() => {
      const next: Record<Id, number> = {};
      for (const g of groups) next[g.id] = Math.max(0, g.unread_count ?? (g.has_unread ? 1 : 0));
      return { groups: next };
    }),

  seedGroup: (group) =>
    set((s) => {
      const rooms = { ...s.rooms };
      let total = 0;
      for (const topic of group.topics) {
        for (const room of topic.rooms) {
          const prev = rooms[room.id];
          const seenId = Math.max(prev?.seenId ?? 0, room.last_message_id ?? 0);
          const count = Math.max(0, room.unread_count ?? 0);
          rooms[room.id] = { groupId: group.id, count, seenId };
          total += count;
        }
      }
      return { rooms, groups: { ...s.groups, [group.id]: total } };
    }),

  seedConversations: (convs) =>
    set((s) => {
      const rooms = { ...s.rooms };
      const groups = { ...s.groups };
      for (const c of convs) {
        const prev = rooms[c.room_id];
        if (prev && prev.seenId >= c.last_message_id) continue;
        const count = Math.max(0, c.unread_count);
        rooms[c.room_id] = { groupId: c.id, count, seenId: Math.max(prev?.seenId ?? 0, c.last_message_id) };
        groups[c.id] = count;
      }
      return { rooms, groups };
    }),

  onMessage: (groupId, roomId, messageId, { mine, viewing }) => {
    const prev = get().rooms[roomId];
    if (prev && messageId <= prev.seenId) return false;
    const counted = !mine && !viewing;
    set((s) => {
      const room = s.rooms[roomId] ?? { groupId, count: 0, seenId: 0 };
      const nextRoom: RoomUnread = {
        groupId,
        seenId: Math.max(room.seenId, messageId),
        count: mine ? 0 : counted ? room.count + 1 : room.count,
      };
      // Our own message moves our read marker (POST /api/rooms/{id}/messages in the API reference): the room is read.
      const delta = nextRoom.count - room.count;
      return {
        rooms: { ...s.rooms, [roomId]: nextRoom },
        groups: { ...s.groups, [groupId]: Math.max(0, (s.groups[groupId] ?? 0) + delta) },
      };
    });
    return counted;
  },

  markRead: (roomId, messageId) =>
    set((s) => {
      const room = s.rooms[roomId];
      if (!room) return {};
      if (room.count === 0 && (messageId === undefined || messageId <= room.seenId)) return {};
      return {
        rooms: { ...s.rooms, [roomId]: { ...room, count: 0, seenId: Math.max(room.seenId, messageId ?? 0) } },
        groups: { ...s.groups, [room.groupId]: Math.max(0, (s.groups[room.groupId] ?? 0) - room.count) },
      };
    }),

  forgetGroup: (groupId) =>
    set((s) => {
      const rooms = { ...s.rooms };
      for (const [rid, r] of Object.entries(rooms)) if (r.groupId === groupId) delete rooms[Number(rid)];
      const groups = { ...s.groups };
      delete groups[groupId];
      return { rooms, groups };
    }),

  reset: () => set({ rooms: {}, groups: {} }),
}));
