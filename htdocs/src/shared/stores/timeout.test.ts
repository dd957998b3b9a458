import { describe, expect, it } from 'vitest';
import { activeTimeout, useTimeoutStore } from './timeoutStore';

describe('timeoutStore', () => {
  it('keeps the end of one’s timeout per group; only a running one counts', () => {
    const now = Date.parse('2026-12-06T10:00:00Z');
    useTimeoutStore.getState().set(4, '2026-12-06T10:10:00Z');
    useTimeoutStore.getState().set(5, null);
    expect(activeTimeout(useTimeoutStore.getState().until[4], now)).toBe('2026-12-06T10:10:00Z');
    expect(activeTimeout(useTimeoutStore.getState().until[5], now)).toBeNull();
    expect(activeTimeout(useTimeoutStore.getState().until[6], now)).toBeNull();
    expect(activeTimeout('2026-12-06T09:59:59Z', now)).toBeNull();
    useTimeoutStore.getState().set(4, null);
    expect(activeTimeout(useTimeoutStore.getState().until[4], now)).toBeNull();
  });
});
