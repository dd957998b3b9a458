// The "N new messages" cue and the "N new since" banner: what they count.
import { describe, expect, it } from 'vitest';
import { msg } from '@/test/fixtures';
import { countNewSince, newMessagesText } from './NewMessagesJump';
import { firstUnread } from './UnreadBanner';

const other = { id: 11, username: 'bob', full_name: '', icon_url: null };

describe('new message cues', () => {
  it('counts what others sent after the point where the reader scrolled up', () => {
    const list = [msg(1), msg(2, { sender: other }), msg(3), msg(4, { sender: other }), msg(5, { sender: other })];
    expect(countNewSince(list, 3, 10)).toBe(2);
    expect(countNewSince(list, 1, 10)).toBe(3);
    expect(countNewSince(list, 5, 10)).toBe(0);
    expect(newMessagesText(1)).toBe('1 new message');
    expect(newMessagesText(3)).toBe('3 new messages');
  });

  it('dates the banner by the first unread message someone else sent', () => {
    const list = [msg(1, { sender: other }), msg(2), msg(3, { sender: other })];
    expect(firstUnread(list, 1, 10)?.id).toBe(3);
    expect(firstUnread(list, null, 10)?.id).toBe(1);
    expect(firstUnread(list, 3, 10)).toBeNull();
  });
});
