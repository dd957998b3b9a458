// Sign-up, log-in, log-out and "who am I".

import { useQuery } from '@tanstack/react-query';
import { api, isApiError } from '@/shared/api/client';
import type { Providers, User } from '@/shared/api/types';

export const meKey = ['me'] as const;

export async function fetchMe(): Promise<User | null> {
  try {
    const res = await api.get<{ user: User }>('/auth/me', { allow401: true });
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

/** The signed-in user where the route guard guarantees one. */
export function useSelf(): User {
  const { data } = useMe();
  if (!data) throw new Error('useSelf outside RequireAuth');
  return data;
}

export function login(username: string, password: string) {
  return api.post<{ user: User }>('/auth/login', { username, password }, { allow401: true });
}

export function signup(username: string, password: string, email?: string) {
  return api.post<{ user: User }>('/auth/signup', email ? { username, password, email } : { username, password });
}

/** Asks for a reset link by mail; the answer is the same for any address. */
export function forgotPassword(email: string) {
  return api.post<Record<string, never>>('/auth/password/forgot', { email });
}

/** Sets a new password with a reset link's token; every session ends. */
export function resetPassword(token: string, password: string) {
  return api.post<void>('/auth/password/reset', { token, password });
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
