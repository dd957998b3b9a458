// @vitest-environment jsdom
// The verification page opens the app only with the verified account:
// a session fetch that left before the link was used (the page's own
// first load) must not put the unverified user back afterwards.
import { act } from 'react';
import { MemoryRouter } from 'react-router-dom';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { VerifyEmailPage } from './VerifyEmail';
import { meKey } from '@/shared/api/auth';
import type { User } from '@/shared/api/types';
import { withDom } from '@/test/dom';

const dom = withDom();

const user = (verified: boolean) => ({ id: 7, username: 've', email: 've@example.org', email_verified: verified });
const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

beforeEach(() => {
  window.history.replaceState(null, '', '/verify-email#token=abc');
});

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('VerifyEmailPage', () => {
  it('keeps the verified account when the first session fetch answers last', async () => {
    // The first GET /auth/session is slow and answers "unverified" (it
    // was read before the link was used); the POST and every later GET
    // answer at once.
    let firstSession: ((r: Response) => void) | undefined;
    let sessions = 0;
    vi.stubGlobal('fetch', vi.fn((input: RequestInfo | URL) => {
      const url = String(input instanceof Request ? input.url : input);
      if (url.includes('/auth/session')) {
        sessions += 1;
        if (sessions === 1) return new Promise<Response>((resolve) => (firstSession = resolve));
        return Promise.resolve(json({ user: user(true) }));
      }
      if (url.includes('/auth/email/verify')) return Promise.resolve(new Response(null, { status: 204 }));
      return Promise.resolve(json({ error: { code: 'not_found', message: url } }, 404));
    }));
    const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    act(() => dom.root.render(
      <QueryClientProvider client={qc}><MemoryRouter><VerifyEmailPage /></MemoryRouter></QueryClientProvider>));
    await act(async () => { await new Promise((r) => setTimeout(r, 20)); });
    await act(async () => {
      firstSession?.(json({ user: user(false) }));
      await new Promise((r) => setTimeout(r, 20));
    });
    expect(dom.container.querySelector('[data-testid=verify-done]')).not.toBeNull();
    expect((qc.getQueryData(meKey) as User | null)?.email_verified).toBe(true);
    expect(sessions).toBeGreaterThanOrEqual(2);
  });
});
