// Create an invite link and copy it.

import { useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { Dialog } from '@/shared/ui/Dialog';
import { errorMessage } from '@/shared/api/client';
import type { Id } from '@/shared/api/types';
import { createInvite, inviteLink, invitesKey } from '@/shared/api/invites';
import { FormStatus } from '@/shared/ui/FormStatus';

const EXPIRY: { label: string; seconds: number | null }[] = [
  { label: 'Never', seconds: null },
  { label: '30 minutes', seconds: 1800 },
  { label: '1 hour', seconds: 3600 },
  { label: '1 day', seconds: 86400 },
  { label: '7 days', seconds: 604800 },
];

export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // Clipboard API unavailable (http origin): fall back to a selection copy.
    const ta = document.createElement('textarea');
    ta.value = text;
    ta.style.position = 'fixed';
    ta.style.opacity = '0';
    document.body.appendChild(ta);
    ta.select();
    let ok = false;
    try {
      ok = document.execCommand('copy');
    } catch {
      ok = false;
    }
    ta.remove();
    return ok;
  }
}

export function InviteDialog({ groupId, onClose }: { groupId: Id; onClose: () => void }) {
  const qc = useQueryClient();
  const [expiry, setExpiry] = useState(0);
  const [maxUses, setMaxUses] = useState('');
  const [link, setLink] = useState('');
  const [error, setError] = useState('');
  const [copied, setCopied] = useState(false);
  const [busy, setBusy] = useState(false);

  const create = async () => {
    setBusy(true);
    setError('');
    setCopied(false);
    try {
      const opts: { max_uses?: number; expires_in?: number } = {};
      const seconds = EXPIRY[expiry].seconds;
      if (seconds) opts.expires_in = seconds;
      if (maxUses && Number(maxUses) > 0) opts.max_uses = Number(maxUses);
      const inv = await createInvite(groupId, opts);
      setLink(inviteLink(inv.code));
      void qc.invalidateQueries({ queryKey: invitesKey(groupId) });
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog title="Invite people" onClose={onClose} testId="invite-dialog">
      <div className="form">
        <div className="form-row">
          <label className="field">
            <span>Expires after</span>
            <select value={expiry} onChange={(e) => setExpiry(Number(e.target.value))}>
              {EXPIRY.map((x, i) => (
                <option key={x.label} value={i}>
                  {x.label}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span>Max uses (empty = no limit)</span>
            <input type="number" min={1} value={maxUses} onChange={(e) => setMaxUses(e.target.value)} />
          </label>
        </div>
        <button type="button" className="button" onClick={create} disabled={busy} data-testid="invite-create">
          {link ? 'Create another link' : 'Create invite link'}
        </button>
        {link && (
          <div className="copy-row">
            <input readOnly value={link} aria-label="Invite link" data-testid="invite-link" onFocus={(e) => e.currentTarget.select()} />
            <button
              type="button"
              className="button secondary"
              data-testid="invite-copy"
              onClick={async () => setCopied(await copyText(link))}
            >
              {copied ? 'Copied!' : 'Copy'}
            </button>
          </div>
        )}
        <p className="sr-only" aria-live="polite">
          {copied ? 'Link copied' : ''}
        </p>
        <FormStatus error={error} />
      </div>
    </Dialog>
  );
}
