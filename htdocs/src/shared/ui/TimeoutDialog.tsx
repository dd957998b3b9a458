// "Time out" a member for a chosen time (issue 13 item 7): the member list's
// menu and the profile card open it (shared/ui/memberModeration) for
// moderators and up; the server checks the roles.

import { useState } from 'react';
import { Dialog } from '@/shared/ui/Dialog';
import { FormStatus } from '@/shared/ui/FormStatus';
import { errorMessage } from '@/shared/api/client';

/** The durations offered, in seconds (the server takes up to four weeks). */
export const TIMEOUT_CHOICES: { seconds: number; label: string }[] = [
  { seconds: 60, label: '1 minute' },
  { seconds: 5 * 60, label: '5 minutes' },
  { seconds: 10 * 60, label: '10 minutes' },
  { seconds: 60 * 60, label: '1 hour' },
  { seconds: 24 * 60 * 60, label: '1 day' },
  { seconds: 7 * 24 * 60 * 60, label: '1 week' },
];

export function TimeoutDialog({ name, onConfirm, onClose }: { name: string; onConfirm: (seconds: number) => Promise<void>; onClose: () => void }) {
  const [seconds, setSeconds] = useState(10 * 60);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const confirm = async () => {
    setBusy(true);
    setError('');
    try {
      await onConfirm(seconds);
      onClose();
    } catch (e) {
      setError(errorMessage(e));
      setBusy(false);
    }
  };
  return (
    <Dialog title="Time out member" onClose={onClose} testId="timeout-dialog">
      <p>Until then {name} cannot send messages, react or type in this group.</p>
      <label className="field">
        <span>Duration</span>
        <select value={seconds} onChange={(e) => setSeconds(Number(e.target.value))} data-testid="timeout-duration">
          {TIMEOUT_CHOICES.map((c) => (
            <option key={c.seconds} value={c.seconds}>
              {c.label}
            </option>
          ))}
        </select>
      </label>
      <FormStatus error={error} />
      <div className="dialog-actions">
        <button type="button" className="button secondary" onClick={onClose}>
          Cancel
        </button>
        <button type="button" className="button danger" data-testid="timeout-ok" disabled={busy} onClick={() => void confirm()}>
          Time out
        </button>
      </div>
    </Dialog>
  );
}
