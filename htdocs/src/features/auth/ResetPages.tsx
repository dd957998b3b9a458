// "Forgot password" (ask for a link by mail) and the page the link opens.

import { useState, type FormEvent } from 'react';
import { Link } from 'react-router-dom';
import { errorMessage, isApiError } from '@/shared/api/client';
import { forgotPassword, resetPassword } from '@/shared/api/auth';

export function ForgotPasswordPage() {
  const [email, setEmail] = useState('');
  const [sent, setSent] = useState(false);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      await forgotPassword(email.trim());
      setSent(true);
    } catch (err) {
      setError(isApiError(err) && err.fields.email ? `Email ${err.fields.email}` : errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="auth-page">
      <form className="auth-card form" onSubmit={submit} aria-label="Reset password" data-testid="forgot-form">
        <h1>Forgot your password?</h1>
        {sent ? (
          <p role="status" data-testid="forgot-sent">
            If an account has the address <strong>{email.trim()}</strong>, a link to choose a new password is on its
            way. It works once, for 30 minutes.
          </p>
        ) : (
          <>
            <p className="muted">Enter the email address of your account; we will send you a link.</p>
            <label className="field">
              <span>Email</span>
              <input name="email" type="email" autoComplete="email" value={email} onChange={(e) => setEmail(e.target.value)} required autoFocus />
            </label>
            {error && (
              <p className="form-error" role="alert">
                {error}
              </p>
            )}
            <button type="submit" className="button block" disabled={busy} data-testid="forgot-submit">
              Send the link
            </button>
          </>
        )}
        <p className="muted">
          <Link to="/login">Back to log in</Link>
        </p>
      </form>
    </main>
  );
}

/** The token of the link: in the fragment, so it never reaches a server log. */
function tokenFromHash(): string {
  return new URLSearchParams(window.location.hash.slice(1)).get('token') ?? '';
}

export function ResetPasswordPage() {
  const [token] = useState(tokenFromHash);
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [fields, setFields] = useState<Record<string, string>>({});
  const [error, setError] = useState('');
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError('');
    setFields({});
    if (password !== repeat) {
      setFields({ repeat: 'The two passwords differ.' });
      return;
    }
    setBusy(true);
    try {
      await resetPassword(token, password);
      // the token is used up: keep it out of the history
      window.history.replaceState(null, '', window.location.pathname);
      setDone(true);
    } catch (err) {
      if (isApiError(err)) setFields(err.fields);
      setError(isApiError(err) && err.fields.token ? err.fields.token : errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  if (!token) {
    return (
      <main className="auth-page">
        <div className="auth-card form">
          <h1>Reset password</h1>
          <p role="alert">This page needs the link from the mail. <Link to="/forgot-password">Ask for a new one</Link>.</p>
        </div>
      </main>
    );
  }
  return (
    <main className="auth-page">
      <form className="auth-card form" onSubmit={submit} aria-label="Choose a new password" data-testid="reset-form">
        <h1>Choose a new password</h1>
        {done ? (
          <p role="status" data-testid="reset-done">
            Your password is changed and you are signed out everywhere. <Link to="/login">Log in</Link> with the new one.
          </p>
        ) : (
          <>
            <label className="field">
              <span>New password</span>
              <input name="password" type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} required minLength={8} maxLength={128} aria-invalid={!!fields.password} autoFocus />
              {fields.password && <small className="field-error">{fields.password}</small>}
            </label>
            <label className="field">
              <span>Repeat it</span>
              <input name="repeat" type="password" autoComplete="new-password" value={repeat} onChange={(e) => setRepeat(e.target.value)} required aria-invalid={!!fields.repeat} />
              {fields.repeat && <small className="field-error">{fields.repeat}</small>}
            </label>
            {error && (
              <p className="form-error" role="alert" data-testid="reset-error">
                {error} {fields.token && <Link to="/forgot-password">Ask for a new link</Link>}
              </p>
            )}
            <button type="submit" className="button block" disabled={busy} data-testid="reset-submit">
              Set the new password
            </button>
          </>
        )}
      </form>
    </main>
  );
}
