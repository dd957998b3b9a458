// The browser's Notification permission, asked only from a user action.

export type Permission = NotificationPermission | 'unsupported';

export function permission(): Permission {
  return typeof window !== 'undefined' && 'Notification' in window ? window.Notification.permission : 'unsupported';
}

/** Asks (from a click); resolves to the answer. */
export async function askPermission(): Promise<Permission> {
  if (permission() === 'unsupported') return 'unsupported';
  try {
    return await window.Notification.requestPermission();
  } catch {
    return permission();
  }
}
