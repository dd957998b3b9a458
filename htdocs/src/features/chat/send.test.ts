import { beforeEach, describe, expect, it, vi } from 'vitest';
import { msg, page } from '@/test/fixtures';
import { ApiError } from '@/shared/api/client';
import { useChatStore } from './store';
import { resendFailed, retrySend, sendMessage } from './send';

const room = () => useChatStore.getState().rooms[1];

beforeEach(() => {
  useChatStore.getState().reset();
  useChatStore.getState().applyPage(1, page([1]), 'latest');
});

describe('sending', () => {
  it('shows a pending message, then the server copy', async () => {
    let release!: (m: ReturnType<typeof msg>) => void;
    const post = vi.fn((_r: number, body: { text: string; nonce: string }) => new Promise<ReturnType<typeof msg>>((res) => (release = () => res(msg(2, { text: body.text, nonce: body.nonce })))));
    const done = sendMessage(1, 'hello', null, post);
    expect(room().pending).toHaveLength(1);
    expect(room().pending[0]).toMatchObject({ text: 'hello', status: 'pending' });
    release(msg(2));
    await done;
    expect(room().pending).toHaveLength(0);
    expect(room().messages.map((m) => m.text)).toEqual(['message 1', 'hello']);
  });

  it('marks a failure and retries with the same nonce', async () => {
    const nonces: string[] = [];
    let fail = true;
    const post = vi.fn(async (_r: number, body: { text: string; nonce: string }) => {
      nonces.push(body.nonce);
      if (fail) throw new ApiError(0, 'network', 'Cannot reach the server');
      return msg(2, { text: body.text, nonce: body.nonce });
    });
    await sendMessage(1, 'again', null, post);
    expect(room().pending[0]).toMatchObject({ status: 'failed', error: 'Cannot reach the server' });
    fail = false;
    await retrySend(1, room().pending[0].nonce, post);
    expect(nonces).toHaveLength(2);
    expect(nonces[0]).toBe(nonces[1]);
    expect(room().pending).toHaveLength(0);
    expect(room().messages.map((m) => m.id)).toEqual([1, 2]);
  });

  it('resends, after a reconnect, the sends that failed for want of a connection, with their nonces', async () => {
    const nonces: string[] = [];
    let down = true;
    const post = vi.fn(async (_r: number, body: { text: string; nonce: string }) => {
      nonces.push(body.nonce);
      if (body.text === 'refused') throw new ApiError(403, 'forbidden', 'No.');
      if (down) throw new ApiError(0, 'network', 'Cannot reach the server');
      return msg(nonces.length + 1, { text: body.text, nonce: body.nonce });
    });
    await sendMessage(1, 'first', null, post);
    await sendMessage(1, 'second', null, post);
    await sendMessage(1, 'refused', null, post);
    expect(room().pending.map((p) => [p.text, p.status, p.retryable])).toEqual([
      ['first', 'failed', true],
      ['second', 'failed', true],
      ['refused', 'failed', false],
    ]);
    const sent = [...nonces];
    down = false;
    await resendFailed(post);
    // The two are posted again with their own nonces, in order; the refused one is left to the user.
    expect(nonces.slice(3)).toEqual(sent.slice(0, 2));
    expect(room().pending.map((p) => p.text)).toEqual(['refused']);
    expect(room().messages.map((m) => m.text)).toEqual(['message 1', 'first', 'second']);
  });
});
