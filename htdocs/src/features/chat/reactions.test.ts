// Reactions and pins in the chat store: absolute counts from events and
// answers (applying one twice is harmless), "me" kept across the copies
// that do not carry it (events, edits), pins patched in place.
import { beforeEach, describe, expect, it } from 'vitest';
import { msg, page } from '@/test/fixtures';
import { useChatStore } from './store';
import { applyPin, applyReaction, heldMessage, keepMine, setReaction } from './reactions';
import { matchShortcode, type EmojiEntry } from './emojiData';
import { replaceWholeShortcode, shortcodeAt } from './shortcodes';

const SELF = 10;
const OTHER = 20;

beforeEach(() => {
  useChatStore.getState().reset();
  useChatStore.getState().applyPage(1, page([1, 2]), 'latest');
});

describe('setReaction', () => {
  it('adds, sets and removes one emoji, keeping the order', () => {
    let r = setReaction([], '👍', 1, true);
    r = setReaction(r, '🎉', 1);
    expect(r).toEqual([
      { emoji: '👍', count: 1, me: true },
      { emoji: '🎉', count: 1, me: false },
    ]);
    r = setReaction(r, '👍', 2);
    expect(r[0]).toEqual({ emoji: '👍', count: 2, me: true });
    expect(setReaction(r, '👍', 0)).toEqual([{ emoji: '🎉', count: 1, me: false }]);
  });
});

describe('applyReaction', () => {
  it('applies events by their absolute count, and "me" only for my own', () => {
    const change = { message_id: 2, room_id: 1, emoji: '👍', user_id: OTHER, count: 1 };
    applyReaction(change, true, SELF);
    applyReaction(change, true, SELF); // the same event twice
    expect(heldMessage(1, 2)!.reactions).toEqual([{ emoji: '👍', count: 1, me: false }]);
    applyReaction({ ...change, user_id: SELF, count: 2 }, true, SELF);
    expect(heldMessage(1, 2)!.reactions).toEqual([{ emoji: '👍', count: 2, me: true }]);
    // Someone else's removal leaves my "me" alone.
    applyReaction({ ...change, count: 1 }, false, SELF);
    expect(heldMessage(1, 2)!.reactions).toEqual([{ emoji: '👍', count: 1, me: true }]);
    applyReaction({ ...change, user_id: SELF, count: 0 }, false, SELF);
    expect(heldMessage(1, 2)!.reactions).toEqual([]);
    expect(heldMessage(1, 1)!.reactions).toEqual([]);
  });

  it('ignores rooms and messages not held', () => {
    const before = useChatStore.getState().rooms;
    applyReaction({ message_id: 99, room_id: 1, emoji: '👍', user_id: OTHER, count: 1 }, true, SELF);
    applyReaction({ message_id: 1, room_id: 5, emoji: '👍', user_id: OTHER, count: 1 }, true, SELF);
    expect(useChatStore.getState().rooms).toBe(before);
  });
});

describe('keepMine', () => {
  it('copies "me" from the held copy into one without it', () => {
    const held = msg(2, { reactions: [{ emoji: '👍', count: 1, me: true }] });
    const edited = msg(2, { text: 'edited', edited_at: '2025-01-01T00:00:00.000Z', reactions: [{ emoji: '👍', count: 2 }, { emoji: '🎉', count: 1 }] });
    expect(keepMine(held, edited).reactions).toEqual([
      { emoji: '👍', count: 2, me: true },
      { emoji: '🎉', count: 1, me: false },
    ]);
    expect(keepMine(undefined, edited)).toBe(edited);
  });

  it('lets an edit event through the store without losing "me"', () => {
    applyReaction({ message_id: 2, room_id: 1, emoji: '👍', user_id: SELF, count: 1 }, true, SELF);
    const ev = msg(2, { text: 'new', edited_at: '2025-01-01T00:00:00.000Z', reactions: [{ emoji: '👍', count: 1 }] });
    useChatStore.getState().update(keepMine(heldMessage(1, 2), ev));
    expect(heldMessage(1, 2)!.text).toBe('new');
    expect(heldMessage(1, 2)!.reactions).toEqual([{ emoji: '👍', count: 1, me: true }]);
  });

  it('lets a fresh page change counts and pins of held messages', () => {
    useChatStore.getState().applyPage(1, { items: [msg(2, { reactions: [{ emoji: '👍', count: 3, me: false }], pinned_at: '2025-01-01T00:00:00.000Z' })], has_more: false }, 'after');
    expect(heldMessage(1, 2)!.reactions).toEqual([{ emoji: '👍', count: 3, me: false }]);
    expect(heldMessage(1, 2)!.pinned_at).toBe('2025-01-01T00:00:00.000Z');
  });
});

describe('applyPin', () => {
  it('sets and clears the pin of a held message', () => {
    applyPin(msg(1, { pinned_at: '2025-01-01T00:00:00.000Z', pinned_by: SELF }));
    expect(heldMessage(1, 1)).toMatchObject({ pinned_at: '2025-01-01T00:00:00.000Z', pinned_by: SELF, text: 'message 1' });
    applyPin(msg(1));
    expect(heldMessage(1, 1)!.pinned_at).toBeNull();
  });
});

const DATA: EmojiEntry[] = [
  { emoji: '😄', label: 'grinning face with smiling eyes', group: 0, shortcodes: ['smile'], tags: [] },
  { emoji: '😃', label: 'grinning face with big eyes', group: 0, shortcodes: ['smiley'], tags: [] },
  { emoji: '😼', label: 'cat with wry smile', group: 0, shortcodes: ['smirk_cat'], tags: [] },
  { emoji: '👍', label: 'thumbs up', group: 1, shortcodes: ['+1', 'thumbsup'], tags: [] },
];

describe('shortcodes', () => {
  it('finds the shortcode being typed at the caret', () => {
    expect(shortcodeAt('hi :smi', 7)).toEqual({ start: 3, query: 'smi' });
    expect(shortcodeAt(':th', 3)).toEqual({ start: 0, query: 'th' });
    expect(shortcodeAt('hi :s', 5)).toBeNull(); // one letter is not enough
    expect(shortcodeAt('time 10:30', 10)).toBeNull(); // not after a space
    expect(shortcodeAt('hi :smile: x', 12)).toBeNull();
  });

  it('matches prefixes first, then words containing the query', () => {
    expect(matchShortcode(DATA, 'smi')).toEqual([
      { emoji: '😄', code: 'smile' },
      { emoji: '😃', code: 'smiley' },
      { emoji: '😼', code: 'smirk_cat' },
    ]);
    expect(matchShortcode(DATA, 'up')).toEqual([{ emoji: '👍', code: 'thumbsup' }]);
    expect(matchShortcode(DATA, '+1')).toEqual([{ emoji: '👍', code: '+1' }]);
  });

  it('replaces a whole :code: just typed, and leaves unknown ones', () => {
    expect(replaceWholeShortcode('nice :+1:', 9, DATA)).toEqual({ text: 'nice 👍', caret: 7 });
    expect(replaceWholeShortcode('nice :nope:', 11, DATA)).toBeNull();
    expect(replaceWholeShortcode('a:smile:', 8, DATA)).toBeNull();
  });
});
