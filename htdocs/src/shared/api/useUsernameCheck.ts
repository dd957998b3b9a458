// A debounced "is this username free?" for the sign-up form and the
// settings (GET /api/users/username-available).

import { useEffect, useState } from 'react';
import { errorMessage, isApiError } from '@/shared/api/client';
import { usernameAvailable } from '@/shared/api/auth';

export type UsernameCheck =
  | { state: 'idle' }
  | { state: 'checking' }
  | { state: 'available' }
  | { state: 'taken' }
  | { state: 'invalid'; message: string };

const USERNAME = /^[A-Za-z0-9_-]{5,45}$/;
const DEBOUNCE_MS = 300;

/** The check of `name` (trimmed); `idle` for an empty name or for
 * `unchanged` (the name one already has). */
export function useUsernameCheck(name: string, unchanged?: string): UsernameCheck {
  const [check, setCheck] = useState<UsernameCheck>({ state: 'idle' });
  const value = name.trim();
  useEffect(() => {
    if (value === '' || value === unchanged) {
      setCheck({ state: 'idle' });
      return;
    }
    if (!USERNAME.test(value)) {
      setCheck({ state: 'invalid', message: 'Usernames are 5–45 letters, digits, _ or -.' });
      return;
    }
    setCheck({ state: 'checking' });
    const ctl = new AbortController();
    const timer = window.setTimeout(() => {
      usernameAvailable(value, ctl.signal)
        .then((r) => setCheck({ state: r.available ? 'available' : 'taken' }))
        .catch((e) => {
          if (ctl.signal.aborted) return;
          setCheck(isApiError(e) ? { state: 'invalid', message: errorMessage(e) } : { state: 'idle' });
        });
    }, DEBOUNCE_MS);
    return () => {
      window.clearTimeout(timer);
      ctl.abort();
    };
  }, [value, unchanged]);
  return check;
}

/** The line shown under a username field for a check. */
export function usernameCheckText(c: UsernameCheck): string {
  switch (c.state) {
    case 'checking':
      return 'Checking…';
    case 'available':
      return 'Available';
    case 'taken':
      return 'This username is taken';
    case 'invalid':
      return c.message;
    default:
      return '';
  }
}
