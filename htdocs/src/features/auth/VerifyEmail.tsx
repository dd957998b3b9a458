// E-mail verification: the page a verification link opens (/verify-email).

import { useEffect, useState } from 'react';
import { Link } from 'react-router-dom';
import { useQueryClient } from '@tanstack/react-query';
import { errorMessage, isApiError } from '@/shared/api/client';
import { fetchMe, meKey, useMe, verifyEmail } from '@/shared/api/auth';

type State = 'working' | 'done' | 'failed';

export function VerifyEmailPage() {
  const qc = useQueryClient();
  const { data: me } = useMe();
  const [state, setState] = useState<State>('working');
  const [error, setError] = useState('');

  useEffect(() => {
    // in the fragment, so the token never reaches a server log
    const token = new URLSearchParams(window.location.hash.slice(1)).get('token') ?? '';
    if (!token) {
      setState('failed');
      setError('This page needs the link from the mail.');
      return;
    }
    let live = true;
    verifyEmail(token)
      .then(async () => {
        // the token is used up: keep it out of the history
        window.history.replaceState(null, '', window.location.pathname);
        // "done" (and its way into the app) only once the account says
        // verified, so the app never opens with the old banner. The
        // page's own first session fetch may still be on the way, read
        // before the link was used: drop it, and ask again.
        await qc.cancelQueries({ queryKey: meKey });
        await qc.fetchQuery({ queryKey: meKey, queryFn: fetchMe, staleTime: 0 }).catch(() => undefined);
        if (live) setState('done');
      })
      .catch((err: unknown) => {
        if (!live) return;
        setState('failed');
        setError(isApiError(err) && err.fields.token ? err.fields.token : errorMessage(err));
      });
    return () => {
      live = false;
    };
  }, [qc]);

  return (
    <main className="auth-page">
      <div className="auth-card form" data-testid="verify-page" data-state={state}>
        <h1>Confirm your e-mail address</h1>
        {state === 'working' && <p aria-busy="true">Checking the link…</p>}
        {state === 'done' && (
          <p role="status" data-testid="verify-done">
            Your e-mail address is confirmed. {me ? <Link to="/">Open Easy Chat</Link> : <Link to="/login">Log in</Link>}
          </p>
        )}
        {state === 'failed' && (
          <p role="alert" data-testid="verify-error">
            {error} {me ? 'Use “Send a new link” in the app.' : <Link to="/login">Log in to ask for a new link.</Link>}
          </p>
        )}
      </div>
    </main>
  );
}
