// What a member row shows: REST baseline, a newer event, and one's own row.
import { describe, expect, it } from 'vitest';
import { resolvePresence } from './presenceStore';

const offline = { online: false, status: 'Online' as const };

describe('resolvePresence', () => {
  it('takes an event newer than the list, not an older one', () => {
    const ev = { online: true, status: 'Busy' as const, at: 200 };
    expect(resolvePresence(offline, ev, 100)).toEqual({ online: true, status: 'Busy' });
    expect(resolvePresence(offline, ev, 300)).toEqual(offline);
  });

  it('shows oneself online while the socket is open, even when the list was read before the relay knew', () => {
    expect(resolvePresence(offline, undefined, 100, { connected: true })).toEqual({ online: true, status: 'Online' });
    const staleOffline = { online: false, status: 'Sleeping' as const, at: 200 };
    expect(resolvePresence(offline, staleOffline, 100, { connected: true })).toEqual({ online: true, status: 'Sleeping' });
    expect(resolvePresence(offline, undefined, 100, { connected: false })).toEqual(offline);
  });
});
