// The early answers of index.html's inline script: each taken once, by a
// GET of exactly its URL, through the client's usual handling; what the
// start-up did not take is dropped.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { api, ApiError } from './client';
import { dropEarly, takeEarly } from './early';

const json = (status: number, body: unknown) =>
  Promise.resolve(new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } }));

describe('early answers', () => {
  const fetchSpy = vi.fn(() => json(200, { from: 'network' }));

  beforeEach(() => {
    vi.stubGlobal('window', {
      __ecEarly: {
        '/api/groups?limit=100': json(200, [{ id: 1 }]),
        '/api/groups/7': json(401, { error: { code: 'unauthorized', message: 'Sign in.' } }),
        '/api/auth/session': json(200, { user: null }),
      },
    });
    vi.stubGlobal('fetch', fetchSpy);
    fetchSpy.mockClear();
  });

  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('answers the first GET of its URL, and only that one', async () => {
    expect(await api.get('/groups', { query: { limit: 100 } })).toEqual([{ id: 1 }]);
    expect(fetchSpy).not.toHaveBeenCalled();
    expect(await api.get('/groups', { query: { limit: 100 } })).toEqual({ from: 'network' });
    expect(fetchSpy).toHaveBeenCalledTimes(1);
  });

  it('goes through the usual error handling', async () => {
    await expect(api.get('/groups/7', { allow401: true })).rejects.toEqual(new ApiError(401, 'unauthorized', 'Sign in.'));
    expect(fetchSpy).not.toHaveBeenCalled();
  });

  it('is not used by other methods, other URLs or requests that can be aborted', async () => {
    await api.post('/groups', { name: 'x' }, { query: { limit: 100 } });
    await api.get('/groups', { query: { limit: 50 } });
    await api.get('/auth/session', { signal: new AbortController().signal });
    expect(fetchSpy).toHaveBeenCalledTimes(3);
    expect(takeEarly('/api/groups?limit=100')).toBeDefined();
    expect(takeEarly('/api/auth/session')).toBeDefined();
  });

  it('drops what the start-up did not take', async () => {
    dropEarly();
    expect(takeEarly('/api/auth/session')).toBeUndefined();
    expect(await api.get('/auth/session')).toEqual({ from: 'network' });
  });
});
