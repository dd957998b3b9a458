import { describe, expect, it } from 'vitest';
import { isValidElement } from 'react';
import { mentionsUser, renderMentions, roomResolver } from './MessageText';
import { tokenAt } from './MentionSuggest';

describe('mentionsUser', () => {
  it('finds the reader by name in any case, @here and @everyone', () => {
    expect(mentionsUser('hi @Alice_1', 'alice_1')).toBe(true);
    expect(mentionsUser('ping @here', 'bob')).toBe(true);
    expect(mentionsUser('@everyone look', 'bob')).toBe(true);
    expect(mentionsUser('mail alice_1@example.com', 'example')).toBe(false);
    expect(mentionsUser('hi @alice_12', 'alice_1')).toBe(false);
  });
});

describe('renderMentions', () => {
  it('marks mentions and links known rooms, leaves the rest as text', () => {
    const out = renderMentions('hey @bob see #home and #nope', 'bob', (n) => (n === 'home' ? 3 : null), 9);
    expect(out.filter((n) => typeof n === 'string')).toEqual(['hey ', ' see ', ' and #nope']);
    const els = out.filter(isValidElement);
    expect(els).toHaveLength(2);
    expect((els[0].props as { className: string }).className).toContain('mention-self');
    expect((els[1].props as { to: string }).to).toBe('/g/9/r/3');
  });
});

describe('roomResolver', () => {
  it('prefers the room stored with the message, so a renamed room keeps its links', () => {
    // The message said #general when room 3 had that name; room 3 is now
    // "lobby" and another room (7) took the name "general".
    const roomOf = roomResolver([{ id: 3, name: 'General' }], [{ id: 3, name: 'lobby' }, { id: 7, name: 'general' }, { id: 8, name: 'random' }]);
    expect(roomOf('general')).toBe(3);
    expect(roomOf('GENERAL')).toBe(3);
    // Names the server did not resolve fall back to the group's rooms now.
    expect(roomOf('random')).toBe(8);
    expect(roomOf('nope')).toBeNull();
    const out = renderMentions('see #general', 'bob', roomOf, 9);
    expect((out.filter(isValidElement)[0].props as { to: string }).to).toBe('/g/9/r/3');
  });

  it('uses the current names when the message has no stored rooms', () => {
    expect(roomResolver(undefined, [{ id: 7, name: 'general' }])('General')).toBe(7);
    expect(roomResolver([], [{ id: 7, name: 'general' }])('general')).toBe(7);
  });
});

describe('tokenAt', () => {
  it('is the @ or # word that ends at the caret', () => {
    expect(tokenAt('hi @al', 6)).toEqual({ sigil: '@', query: 'al', start: 3 });
    expect(tokenAt('#', 1)).toEqual({ sigil: '#', query: '', start: 0 });
    expect(tokenAt('mail a@b', 8)).toBeNull();
    expect(tokenAt('hi @al there', 12)).toBeNull();
  });
});
