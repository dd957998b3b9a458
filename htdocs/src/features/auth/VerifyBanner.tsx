// The banner that offers a new verification link while the signed-in
// user's address is unverified (the page the link opens: VerifyEmail.tsx).

import { useState } from 'react';
import { errorMessage } from '@/shared/api/client';
import { resendVerification, useMe, useProviders } from '@/shared/api/auth';

/** Shown in the app while the caller's address is unverified (and the
 * server verifies addresses); offers a new link. */
export function VerifyBanner() {
  const { data: me } = useMe();
  const { data: providers } = useProviders();
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  if (!me || !me.email || me.email_verified !== false || !providers?.email_verify) return null;

  const resend = async () => {
    setBusy(true);
    try {
      await resendVerification();
      setNote(`A new link is on its way to ${me.email}.`);
    } catch (err) {
      setNote(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="verify-banner" role="status" data-testid="verify-banner">
      <span>
        Please confirm your e-mail address <strong>{me.email}</strong> with the link we mailed you; until then it cannot be used to reset your password.
      </span>{' '}
      {note ? (
        <span data-testid="verify-note">{note}</span>
      ) : (
        <button type="button" className="button small" onClick={() => void resend()} disabled={busy} data-testid="verify-resend">
          Send a new link
        </button>
      )}
    </div>
  );
}
