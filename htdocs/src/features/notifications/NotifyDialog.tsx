// The "Notifications" dialog of a group, room or DM (opened from their
// menus through shared/stores/notifyDialogStore): its level (or inherit)
// and a mute of 1 h / 8 h / 24 h / until I unmute. Saved at once on the
// server; the other devices follow through notification_settings.updated.

import { useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { errorMessage } from '@/shared/api/client';
import { Dialog } from '@/shared/ui/Dialog';
import { FormStatus } from '@/shared/ui/FormStatus';
import { useNotifyDialogStore, type NotifyTarget } from '@/shared/stores/notifyDialogStore';
import { putScope, clearScope, useNotifySettings } from './api';
import './notifications.css';
import { DEFAULT_SETTINGS, MUTE_CHOICES, isMuted, muteUntil, type MuteChoice, type NotifyLevel } from './rules';

const LEVELS: { value: NotifyLevel; label: string }[] = [
  { value: 'all', label: 'All messages' },
  { value: 'mentions', label: 'Mentions and direct messages only' },
  { value: 'none', label: 'Nothing' },
];

export function NotifyDialogHost() {
  const target = useNotifyDialogStore((s) => s.target);
  const close = useNotifyDialogStore((s) => s.close);
  if (!target) return null;
  return <NotifyDialog key={`${target.scope}:${target.id}`} target={target} onClose={close} />;
}

function NotifyDialog({ target, onClose }: { target: NotifyTarget; onClose: () => void }) {
  const qc = useQueryClient();
  const { data } = useNotifySettings();
  const s = data ?? DEFAULT_SETTINGS;
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const own =
    target.scope === 'rooms' ? s.rooms.find((r) => r.room_id === target.id) : s.groups.find((g) => g.group_id === target.id);
  const level = own?.level ?? 'inherit';
  const muted = isMuted(own?.muted_until, Date.now()) ? own?.muted_until ?? null : null;
  const inherited = target.isDm ? s.defaults.dm_level : target.scope === 'rooms' ? (s.groups.find((g) => g.group_id === target.groupId)?.level ?? s.defaults.group_level) : s.defaults.group_level;

  const run = async (fn: () => Promise<unknown>) => {
    setBusy(true);
    setError('');
    try {
      await fn();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  const setLevel = (v: string) => run(() => putScope(qc, target.scope, target.id, { level: v === 'inherit' ? null : (v as NotifyLevel) }));
  const mute = (c: MuteChoice) => run(() => putScope(qc, target.scope, target.id, { muted_until: muteUntil(c, Date.now()) }));
  const unmute = () => run(() => putScope(qc, target.scope, target.id, { muted_until: null }));
  const reset = () => run(() => clearScope(qc, target.scope, target.id));

  return (
    <Dialog title={`Notifications: ${target.name}`} onClose={onClose} testId="notify-dialog">
      <fieldset className="notify-fieldset" disabled={busy}>
        <legend>Notify me of</legend>
        {[{ value: 'inherit', label: `Default (${LEVELS.find((l) => l.value === inherited)?.label ?? inherited})` }, ...LEVELS].map((l) => (
          <label key={l.value} className="notify-choice">
            <input type="radio" name="notify-level" value={l.value} checked={level === l.value} onChange={() => void setLevel(l.value)} data-testid={`notify-level-${l.value}`} />{' '}
            {l.label}
          </label>
        ))}
      </fieldset>
      <div className="form" role="group" aria-label="Mute">
        <p data-testid="notify-muted">{muted === null ? 'Not muted.' : muted === 'forever' ? 'Muted until you unmute.' : `Muted until ${new Date(muted).toLocaleString()}.`}</p>
        <div className="notify-row">
          {MUTE_CHOICES.map((c) => (
            <button key={c.value} type="button" className="button secondary" disabled={busy} onClick={() => void mute(c.value)} data-testid={`notify-mute-${c.value}`}>
              Mute {c.label.toLowerCase()}
            </button>
          ))}
          {muted !== null && (
            <button type="button" className="button" disabled={busy} onClick={() => void unmute()} data-testid="notify-unmute">
              Unmute
            </button>
          )}
          {own && (
            <button type="button" className="button secondary" disabled={busy} onClick={() => void reset()} data-testid="notify-reset">
              Use defaults
            </button>
          )}
        </div>
      </div>
      <FormStatus error={error} ok="" />
    </Dialog>
  );
}
