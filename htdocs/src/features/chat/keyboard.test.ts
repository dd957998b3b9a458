// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { lastOwnMessageId, messageLink } from './keyboard';

describe('keyboard helpers', () => {
  it('finds the newest of my messages on screen, not the newest message', () => {
    document.body.innerHTML = `
      <article data-testid="message" data-message-id="4" data-mine="true"></article>
      <article data-testid="message" data-message-id="7" data-mine="true"></article>
      <article data-testid="message" data-message-id="9"></article>`;
    expect(lastOwnMessageId()).toBe(7);
    document.body.innerHTML = '<article data-testid="message" data-message-id="9"></article>';
    expect(lastOwnMessageId()).toBeNull();
  });

  it('links a message through /room/:id?m=', () => {
    expect(messageLink({ id: 12, room_id: 3 }, 'https://chat.example.org')).toBe('https://chat.example.org/room/3?m=12');
  });
});
