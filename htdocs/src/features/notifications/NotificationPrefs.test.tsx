// @vitest-environment jsdom
// The defaults form shows a choice at once, while its PUT is on the way,
// and puts the old value back when the server refuses it.
import { act } from 'react';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import NotificationPrefs from './NotificationPrefs';
import { notifySettingsKey } from './api';
import { DEFAULT_SETTINGS } from './rules';
import { withDom } from '@/test/dom';

const dom = withDom();
let finish: (res: Response) => void;

function mount() {
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  qc.setQueryData(notifySettingsKey, DEFAULT_SETTINGS);
  act(() => dom.root.render(<QueryClientProvider client={qc}><NotificationPrefs /></QueryClientProvider>));
}

const box = () => dom.container.querySelector<HTMLInputElement>('[data-testid=notify-hide-text]')!;

beforeEach(() => {
  vi.stubGlobal('fetch', vi.fn(() => new Promise<Response>((resolve) => (finish = resolve))));
});

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('NotificationPrefs', () => {
  it('shows "hide text" checked before the server answers', () => {
    mount();
    expect(box().checked).toBe(false);
    act(() => box().click());
    expect(box().checked).toBe(true);
  });

  it('puts the old value back when the server refuses', async () => {
    mount();
    act(() => box().click());
    expect(box().checked).toBe(true);
    await act(async () => {
      finish(new Response(JSON.stringify({ error: { code: 'validation_failed', message: 'no' } }), { status: 400, headers: { 'Content-Type': 'application/json' } }));
      await new Promise((r) => setTimeout(r, 20));
    });
    expect(box().checked).toBe(false);
  });
});
