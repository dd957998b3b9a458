// @vitest-environment jsdom
// The defaults form shows a choice at once, while its PUT is on the way,
// and puts the old value back when the server refuses it.
import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import NotificationPrefs from './NotificationPrefs';
import { notifySettingsKey } from './api';
import { DEFAULT_SETTINGS } from './rules';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

let container: HTMLDivElement;
let root: Root;
let finish: (res: Response) => void;

function mount() {
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  qc.setQueryData(notifySettingsKey, DEFAULT_SETTINGS);
  act(() => root.render(<QueryClientProvider client={qc}><NotificationPrefs /></QueryClientProvider>));
}

const box = () => container.querySelector<HTMLInputElement>('[data-testid=notify-hide-text]')!;

beforeEach(() => {
  vi.stubGlobal('fetch', vi.fn(() => new Promise<Response>((resolve) => (finish = resolve))));
  container = document.createElement('div');
  document.body.appendChild(container);
  root = createRoot(container);
});

afterEach(() => {
  act(() => root.unmount());
  container.remove();
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
