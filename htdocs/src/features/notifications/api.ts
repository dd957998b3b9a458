// The notification settings on the server (users program,
// /api/users/me/notification-settings): one cached document, replaced by
// every answer and by `notification_settings.updated` from other devices.

import { useQuery, type QueryClient } from '@tanstack/react-query';
import { api } from '@/shared/api/client';
import type { components } from '@/shared/api/schema.gen';
import { DEFAULT_SETTINGS, type NotificationSettings } from './rules';

export type NotificationDefaults = components['schemas']['NotificationDefaults'];
export type ScopeUpdate = components['schemas']['ScopeNotificationUpdate'];

const BASE = '/users/me/notification-settings';
export const notifySettingsKey = ['notification-settings'] as const;

export const fetchNotifySettings = () => api.get<NotificationSettings>(BASE);

export function useNotifySettings() {
  return useQuery({ queryKey: notifySettingsKey, queryFn: fetchNotifySettings, staleTime: 5 * 60_000 });
}

/** What is known now (the built-in defaults until loaded). */
export function cachedSettings(qc: QueryClient): NotificationSettings {
  return qc.getQueryData<NotificationSettings>(notifySettingsKey) ?? DEFAULT_SETTINGS;
}

async function saved(qc: QueryClient, p: Promise<NotificationSettings>): Promise<NotificationSettings> {
  const doc = await p;
  qc.setQueryData(notifySettingsKey, doc);
  return doc;
}

export const putDefaults = (qc: QueryClient, body: Partial<NotificationDefaults>) => saved(qc, api.put<NotificationSettings>(`${BASE}/defaults`, body));

export const putScope = (qc: QueryClient, scope: 'groups' | 'rooms', id: number, body: ScopeUpdate) =>
  saved(qc, api.put<NotificationSettings>(`${BASE}/${scope}/${id}`, body));

export async function clearScope(qc: QueryClient, scope: 'groups' | 'rooms', id: number): Promise<void> {
  await api.del(`${BASE}/${scope}/${id}`);
  await qc.invalidateQueries({ queryKey: notifySettingsKey });
}
