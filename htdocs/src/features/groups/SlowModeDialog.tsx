// Slow mode of one room from the room's menu (issue 13 item 7): moderators
// and up; the server checks the role. The group settings page keeps its list.

import { useState } from 'react';
import type { RoomSummary } from '@/shared/api/types';
import { setSlowMode } from '@/shared/api/moderation';
import { errorMessage } from '@/shared/api/client';
import { Dialog } from '@/shared/ui/Dialog';
import { FormStatus } from '@/shared/ui/FormStatus';

const CHOICES = [0, 5, 10, 30, 60, 300, 900, 3600];

const words = (s: number) => (s === 0 ? 'Off' : s < 60 ? `${s} seconds` : s < 3600 ? `${s / 60} minutes` : `${s / 3600} hour`);

export function SlowModeDialog({ room, onDone, onClose }: { room: RoomSummary; onDone: () => Promise<unknown>; onClose: () => void }) {
  const current = (room as { slow_mode_seconds?: number }).slow_mode_seconds ?? 0;
  const [seconds, setSeconds] = useState(current);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const save = async () => {
    setBusy(true);
    setError('');
    try {
      await setSlowMode(room.id, seconds);
      await onDone();
      onClose();
    } catch (e) {
      setError(errorMessage(e));
      setBusy(false);
    }
  };
  const choices = CHOICES.includes(current) ? CHOICES : [...CHOICES, current].sort((a, b) => a - b);
  return (
    <Dialog title={`Slow mode of #${room.name}`} onClose={onClose} testId="slow-mode-dialog">
      <p>Seconds a member waits between two messages in this room. Moderators and up are exempt.</p>
      <label className="field">
        <span>Wait</span>
        <select value={seconds} onChange={(e) => setSeconds(Number(e.target.value))} data-testid="slow-mode-select">
          {choices.map((s) => (
            <option key={s} value={s}>
              {words(s)}
            </option>
          ))}
        </select>
      </label>
      <FormStatus error={error} />
      <div className="dialog-actions">
        <button type="button" className="button secondary" onClick={onClose}>
          Cancel
        </button>
        <button type="button" className="button" data-testid="slow-mode-ok" disabled={busy} onClick={() => void save()}>
          Save
        </button>
      </div>
    </Dialog>
  );
}
