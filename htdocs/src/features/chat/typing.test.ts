import { beforeEach, describe, expect, it } from 'vitest';
import { TYPING_TTL_MS, TypingThrottle, typersIn, typingText, useTypingStore } from './typingStore';

const s = () => useTypingStore.getState();

beforeEach(() => s().reset());

describe('typing store', () => {
  it('shows a typer until the state expires after 8 s without renewal', () => {
    s().apply({ room_id: 1, user_id: 2, full_name: 'alice', is_typing: true }, 1000);
    expect(typersIn(s().rooms, 1, null, 1000)).toEqual(['alice']);
    expect(typersIn(s().rooms, 1, null, 1000 + TYPING_TTL_MS - 1)).toEqual(['alice']);
    expect(typersIn(s().rooms, 1, null, 1000 + TYPING_TTL_MS)).toEqual([]);
    s().prune(1000 + TYPING_TTL_MS);
    expect(s().rooms[1]).toEqual({});
  });

  it('renewal extends the state', () => {
    s().apply({ room_id: 1, user_id: 2, full_name: 'alice', is_typing: true }, 0);
    s().apply({ room_id: 1, user_id: 2, full_name: 'alice', is_typing: true }, 5000);
    s().prune(9000);
    expect(typersIn(s().rooms, 1, null, 9000)).toEqual(['alice']);
  });

  it('is_typing false and a posted message clear the state', () => {
    s().apply({ room_id: 1, user_id: 2, full_name: 'alice', is_typing: true }, 0);
    s().apply({ room_id: 1, user_id: 3, full_name: 'bob', is_typing: true }, 0);
    s().apply({ room_id: 1, user_id: 2, full_name: 'alice', is_typing: false }, 1);
    expect(typersIn(s().rooms, 1, null, 2)).toEqual(['bob']);
    s().clearUser(1, 3);
    expect(typersIn(s().rooms, 1, null, 2)).toEqual([]);
  });

  it('never shows the current user and keeps rooms apart', () => {
    s().apply({ room_id: 1, user_id: 2, full_name: 'me', is_typing: true }, 0);
    s().apply({ room_id: 2, user_id: 3, full_name: 'bob', is_typing: true }, 0);
    expect(typersIn(s().rooms, 1, 2, 1)).toEqual([]);
    expect(typersIn(s().rooms, 2, 2, 1)).toEqual(['bob']);
  });

  it('words the indicator', () => {
    expect(typingText([])).toBe('');
    expect(typingText(['alice'])).toBe('alice is typing…');
    expect(typingText(['alice', 'bob'])).toBe('alice and bob are typing…');
    expect(typingText(['a', 'b', 'c'])).toBe('Several people are typing…');
    expect(typingText(['a', 'b', 'c', 'd'])).toBe('Several people are typing…');
  });

  it('names typers by the member list, then the event, never "Someone" when a username is known', () => {
    s().apply({ room_id: 1, user_id: 2, full_name: '', is_typing: true }, 0);
    s().apply({ room_id: 1, user_id: 3, full_name: 'Bob B', is_typing: true }, 0);
    s().apply({ room_id: 1, user_id: 4, full_name: '', is_typing: true }, 0);
    const names: Record<number, string> = { 2: 'carl', 3: 'Bobby' };
    expect(typersIn(s().rooms, 1, null, 1, (id) => names[id])).toEqual(['Bobby', 'carl', 'Someone']);
    expect(typersIn(s().rooms, 1, null, 1)).toEqual(['Bob B', 'Someone', 'Someone']);
  });

  it('takes the event\'s name over a username when the member list has no display name yet', () => {
    // The member list was loaded before user 3 set a display name: the
    // event's name wins over the username; a username still beats "Someone".
    s().apply({ room_id: 1, user_id: 3, full_name: 'Bob Builder', is_typing: true }, 0);
    s().apply({ room_id: 1, user_id: 4, full_name: '', is_typing: true }, 0);
    const display: Record<number, string> = {};
    const usernames: Record<number, string> = { 3: 'bob_1', 4: 'dora' };
    expect(typersIn(s().rooms, 1, null, 1, (id) => display[id], (id) => usernames[id])).toEqual(['Bob Builder', 'dora']);
  });
});

describe('TypingThrottle', () => {
  it('sends true at most once per interval and false once on stop', () => {
    const t = new TypingThrottle(3000);
    expect(t.keystroke(0)).toBe(true);
    expect(t.keystroke(100)).toBe(false);
    expect(t.keystroke(2999)).toBe(false);
    expect(t.keystroke(3000)).toBe(true);
    expect(t.stop()).toBe(true);
    expect(t.stop()).toBe(false);
    expect(t.keystroke(3100)).toBe(true);
  });
});
