// Sign-up, log-in, log-out and "who am I".

import { useQuery } from '@tanstack/react-query';
import { api, isApiError } from '@/shared/api/client';
import type { Providers, User } from '@/shared/api/types';

export const meKey = ['me'] as const;

/** The signed-in user or null, from GET /api/auth/session: signed out is
 * a 200 there, so a signed-out page logs no 401. */
export async function fetchMe(): Promise<User | null> {
  try {
    const res = await api.get<{ user: User | null }>('/auth/session', { allow401: true });
    return res.user;
  } catch (e) {
    if (isApiError(e, 401)) return null;
    throw e;
  }
}

/** The signed-in user; `null` when signed out, `undefined` while loading. */
export function useMe() {
  return useQuery({ queryKey: meKey, queryFn: fetchMe, staleTime: 5 * 60_000, retry: 1 });
}

/** The last signed-in user seen, for the moment of signing out. */
let lastSelf: User | null = null;

/** The signed-in user where the route guard guarantees one. While signing
 * out, the query is cleared before the signed-in screens unmount (React
 * Query re-renders its observers at once): they get the last user for
 * that one render instead of an uncaught error (defect 11). */
export function useSelf(): User {
  const { data } = useMe();
  if (data) lastSelf = data;
  const self = data ?? lastSelf;
  if (!self) throw new Error('useSelf outside RequireAuth');
  return self;
}

export function login(username: string, password: string) {
  return api.post<{ user: User }>('/auth/login', { username, password }, { allow401: true });
}

export interface SignupExtra {
  email?: string;
  full_name?: string;
}

/** Sign-up; empty optional fields are left out. */
export function signup(username: string, password: string, extra: SignupExtra = {}) {
  const body: Record<string, string> = { username, password };
  if (extra.email) body.email = extra.email;
  if (extra.full_name) body.full_name = extra.full_name;
  return api.post<{ user: User }>('/auth/signup', body);
}

/** Whether a username is free (case-insensitive; one's own name is). */
export function usernameAvailable(username: string, signal?: AbortSignal) {
  return api.get<{ username: string; available: boolean }>('/users/username-available', { query: { username }, allow401: true, signal });
}

/** Asks for a reset link by mail; the answer is the same for any address. */
export function forgotPassword(email: string) {
  return api.post<Record<string, never>>('/auth/password/forgot', { email });
}

/** Sets a new password with a reset link's token; every session ends. */
export function resetPassword(token: string, password: string) {
  return api.post<void>('/auth/password/reset', { token, password });
}

/** Verifies the address a verification link was sent to (no session
 * needed). */
export function verifyEmail(token: string) {
  return api.post<void>('/auth/email/verify', { token });
}

/** Mails a new verification link to the caller's address. */
export function resendVerification() {
  return api.post<Record<string, never>>('/auth/email/resend', {});
}

export function logout() {
  return api.post<void>('/auth/logout', {}, { allow401: true });
}

export function useProviders() {
  return useQuery({
    queryKey: ['providers'],
    queryFn: () => api.get<Providers>('/auth/providers', { allow401: true }),
    staleTime: 10 * 60_000,
  });
}
