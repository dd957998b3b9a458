// @vitest-environment jsdom
import { act } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { realtime } from '@/shared/ws/socket';
import { page } from '@/test/fixtures';
import { useChatStore } from './store';
import { Composer } from './Composer';
import { withDom } from '@/test/dom';

const room = { id: 1, name: 'home', description: '', unread_count: 0, last_message_id: null, last_read_id: null };
const dom = withDom();

function type(el: HTMLTextAreaElement, value: string) {
  const setter = Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, 'value')!.set!;
  setter.call(el, value);
  el.dispatchEvent(new Event('input', { bubbles: true }));
}

function key(el: HTMLElement, k: string, shiftKey = false) {
  el.dispatchEvent(new KeyboardEvent('keydown', { key: k, shiftKey, bubbles: true, cancelable: true }));
}

beforeEach(() => {
  useChatStore.getState().reset();
  useChatStore.getState().applyPage(1, page([1]), 'latest');
  vi.stubGlobal('fetch', vi.fn(() => new Promise(() => {}))); // the POST stays in flight
});

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe('Composer', () => {
  it('Enter sends (pending message, typing frames), Shift+Enter does not', () => {
    const sent: unknown[] = [];
    vi.spyOn(realtime, 'send').mockImplementation((f) => {
      sent.push(f);
      return true;
    });
    act(() => dom.root.render(<Composer room={room} replyTo={null} onCancelReply={() => {}} beforeSend={() => {}} />));
    const ta = dom.container.querySelector<HTMLTextAreaElement>('[data-testid="composer"]')!;
    expect(ta.getAttribute('aria-label')).toBe('Message #home');

    act(() => type(ta, 'hello'));
    expect(sent).toEqual([{ type: 'typing', room_id: 1, is_typing: true }]);
    act(() => key(ta, 'Enter', true));
    expect(useChatStore.getState().rooms[1].pending).toHaveLength(0);

    act(() => key(ta, 'Enter'));
    const pending = useChatStore.getState().rooms[1].pending;
    expect(pending).toHaveLength(1);
    expect(pending[0]).toMatchObject({ text: 'hello', status: 'pending' });
    expect(ta.value).toBe('');
    expect(sent.at(-1)).toEqual({ type: 'typing', room_id: 1, is_typing: false });

    act(() => key(ta, 'Enter')); // empty: nothing to send
    expect(useChatStore.getState().rooms[1].pending).toHaveLength(1);
  });
});
