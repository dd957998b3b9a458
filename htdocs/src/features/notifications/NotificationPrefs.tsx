// The "Notifications" section of my settings page: my defaults for group
// rooms and DMs, hide message text, sound, and the button that asks the
// browser for permission to show desktop notifications.

import { useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { errorMessage } from '@/shared/api/client';
import { FormStatus } from '@/shared/ui/FormStatus';
import { putDefaults, useNotifySettings, type NotificationDefaults } from './api';
import { askPermission, permission, type Permission } from './permission';
import { DEFAULT_SETTINGS, type NotifyLevel } from './rules';
import { playChime, unlockSound } from './sound';
import './notifications.css';

const LEVELS: { value: NotifyLevel; label: string }[] = [
  { value: 'all', label: 'All messages' },
  { value: 'mentions', label: 'Mentions only' },
  { value: 'none', label: 'Nothing' },
];

const PERMISSION_TEXT: Record<Permission, string> = {
  granted: 'Desktop notifications are on in this browser.',
  denied: 'This browser blocks notifications from this site: allow them in its site settings.',
  default: 'Desktop notifications are off in this browser.',
  unsupported: 'This browser cannot show desktop notifications.',
};

export default function NotificationPrefs() {
  const qc = useQueryClient();
  const { data } = useNotifySettings();
  // What the user just chose shows at once, while its PUT is on the way
  // (the server's answer then replaces it; a refusal puts the old value
  // back and says why).
  const [pending, setPending] = useState<Partial<NotificationDefaults>>({});
  const d = { ...(data ?? DEFAULT_SETTINGS).defaults, ...pending };
  const [perm, setPerm] = useState<Permission>(permission);
  const [error, setError] = useState('');
  const [msg, setMsg] = useState('');

  const save = async (body: Partial<NotificationDefaults>) => {
    setError('');
    setMsg('');
    setPending((p) => ({ ...p, ...body }));
    try {
      await putDefaults(qc, body);
      setMsg('Saved.');
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setPending((p) => {
        const rest = { ...p };
        for (const k of Object.keys(body) as (keyof NotificationDefaults)[]) if (rest[k] === body[k]) delete rest[k];
        return rest;
      });
    }
  };

  const enable = async () => {
    unlockSound();
    setPerm(await askPermission());
  };

  return (
    <section className="card" aria-labelledby="notify-title" data-testid="notify-prefs">
      <h2 id="notify-title">Notifications</h2>
      <p className="muted" data-testid="notify-permission" data-permission={perm}>
        {PERMISSION_TEXT[perm]}
      </p>
      {perm === 'default' && (
        <button type="button" className="button" onClick={() => void enable()} data-testid="notify-enable">
          Turn on desktop notifications
        </button>
      )}
      <div className="form">
        <label className="field">
          <span>In group rooms, notify me of</span>
          <select value={d.group_level} onChange={(e) => void save({ group_level: e.target.value as NotifyLevel })} data-testid="notify-group-level">
            {LEVELS.map((l) => (
              <option key={l.value} value={l.value}>
                {l.label}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>In direct messages, notify me of</span>
          <select value={d.dm_level} onChange={(e) => void save({ dm_level: e.target.value as NotifyLevel })} data-testid="notify-dm-level">
            {LEVELS.map((l) => (
              <option key={l.value} value={l.value}>
                {l.value === 'mentions' ? 'Mentions and direct messages' : l.label}
              </option>
            ))}
          </select>
        </label>
        <label className="notify-choice">
          <input type="checkbox" checked={d.hide_text} onChange={(e) => void save({ hide_text: e.target.checked })} data-testid="notify-hide-text" /> Hide message text in notifications
        </label>
        <label className="notify-choice">
          <input
            type="checkbox"
            checked={d.sound}
            onChange={(e) => {
              unlockSound();
              if (e.target.checked) playChime();
              void save({ sound: e.target.checked });
            }}
            data-testid="notify-sound"
          />{' '}
          Play a sound
        </label>
        <FormStatus error={error} ok={msg} />
      </div>
    </section>
  );
}
