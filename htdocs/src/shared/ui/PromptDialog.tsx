// A dialog asking for one line of text (names of topics and rooms).

import { useState, type FormEvent } from 'react';
import { Dialog } from './Dialog';
import { errorMessage } from '@/shared/api/client';
import { FormStatus } from '@/shared/ui/FormStatus';

interface PromptProps {
  title: string;
  label: string;
  initial?: string;
  submitLabel: string;
  maxLength?: number;
  onSubmit: (value: string) => Promise<unknown>;
  onClose: () => void;
}

export function PromptDialog({ title, label, initial = '', submitLabel, maxLength, onSubmit, onClose }: PromptProps) {
  const [value, setValue] = useState(initial);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!value.trim()) return;
    setBusy(true);
    setError('');
    try {
      await onSubmit(value.trim());
      onClose();
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  };

  return (
    <Dialog title={title} onClose={onClose} testId="prompt-dialog">
      <form onSubmit={submit} className="form">
        <label className="field">
          <span>{label}</span>
          <input value={value} maxLength={maxLength} onChange={(e) => setValue(e.target.value)} autoFocus required />
        </label>
        <FormStatus error={error} />
        <div className="dialog-actions">
          <button type="button" className="button secondary" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button" disabled={busy || !value.trim()} data-testid="prompt-submit">
            {submitLabel}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
