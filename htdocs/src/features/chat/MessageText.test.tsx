import { describe, expect, it } from 'vitest';
import { isValidElement } from 'react';
import { mentionsUser, renderMentions } from './MessageText';
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

describe('tokenAt', () => {
  it('is the @ or # word that ends at the caret', () => {
    expect(tokenAt('hi @al', 6)).toEqual({ sigil: '@', query: 'al', start: 3 });
    expect(tokenAt('#', 1)).toEqual({ sigil: '#', query: '', start: 0 });
    expect(tokenAt('mail a@b', 8)).toBeNull();
    expect(tokenAt('hi @al there', 12)).toBeNull();
  });
});
