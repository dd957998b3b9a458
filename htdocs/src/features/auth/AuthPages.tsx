// The log-in (username or e-mail) and sign-up (display name, password
// twice, live username check) screens.

import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import { useQueryClient } from '@tanstack/react-query';
import { errorMessage, isApiError } from '@/shared/api/client';
import { login, meKey, signup, useProviders } from '@/shared/api/auth';
import { usernameCheckText, useUsernameCheck } from '@/shared/api/useUsernameCheck';
import { OAuthButtons } from './OAuthButtons';
import './auth.css';

function safeNext(next: string | null): string {
  // Only same-app paths: never an open redirect.
  if (next && next.startsWith('/') && !next.startsWith('//')) return next;
  return '/';
}

function ForgotLink() {
  const { data } = useProviders();
  if (!data?.password_reset) return null;
  return (
    <p className="muted">
      <Link to="/forgot-password" data-testid="forgot-link">
        Forgot your password?
      </Link>
    </p>
  );
}

export function LoginPage() {
  return <AuthForm mode="login" />;
}

export function SignupPage() {
  return <AuthForm mode="signup" />;
}

function AuthForm({ mode }: { mode: 'login' | 'signup' }) {
  const [params] = useSearchParams();
  const next = safeNext(params.get('next'));
  const navigate = useNavigate();
  const qc = useQueryClient();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [email, setEmail] = useState('');
  const [fullName, setFullName] = useState('');
  const [password2, setPassword2] = useState('');
  const [error, setError] = useState('');
  const [fields, setFields] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const isLogin = mode === 'login';
  const check = useUsernameCheck(isLogin ? '' : username);
  const mismatch = !isLogin && password2 !== '' && password !== password2;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError('');
    setFields({});
    if (!isLogin && password !== password2) {
      setFields({ password2: 'does not match the password' });
      return;
    }
    setBusy(true);
    try {
      const res = isLogin
        ? await login(username.trim(), password)
        : await signup(username.trim(), password, { email: email.trim(), full_name: fullName.trim() });
      qc.setQueryData(meKey, res.user);
      navigate(next, { replace: true });
    } catch (err) {
      if (isApiError(err)) setFields(err.fields);
      setError(isApiError(err, 401) ? 'Wrong username, e-mail or password' : errorMessage(err));
      setBusy(false);
    }
  };

  const title = isLogin ? 'Welcome back!' : 'Create an account';
  const qs = params.get('next') ? `?next=${encodeURIComponent(next)}` : '';
  return (
    <main className="auth-page">
      <form className="auth-card form" onSubmit={submit} aria-label={isLogin ? 'Log in' : 'Sign up'} data-testid={isLogin ? 'login-form' : 'signup-form'}>
        <h1>{title}</h1>
        <label className="field">
          <span>{isLogin ? 'Username or e-mail' : 'Username'}</span>
          <input
            name="username"
            autoComplete="username"
            value={username}
            onChange={(e) => setUsername(e.target.value)}
            required
            minLength={isLogin ? undefined : 5}
            maxLength={isLogin ? 254 : 45}
            pattern={isLogin ? undefined : '[A-Za-z0-9_\\-]+'}
            aria-invalid={!!fields.username || check.state === 'taken' || check.state === 'invalid'}
            autoFocus
          />
          {fields.username ? (
            <small className="field-error">{fields.username}</small>
          ) : (
            !isLogin &&
            check.state !== 'idle' && (
              <small className={check.state === 'available' ? 'field-ok' : check.state === 'checking' ? 'muted' : 'field-error'} data-testid="username-check" data-state={check.state}>
                {usernameCheckText(check)}
              </small>
            )
          )}
        </label>
        {!isLogin && (
          <label className="field">
            <span>Display name (optional)</span>
            <input name="full_name" autoComplete="name" maxLength={45} value={fullName} onChange={(e) => setFullName(e.target.value)} aria-invalid={!!fields.full_name} />
            {fields.full_name && <small className="field-error">{fields.full_name}</small>}
          </label>
        )}
        {!isLogin && (
          <label className="field">
            <span>Email (optional)</span>
            <input name="email" type="email" autoComplete="email" value={email} onChange={(e) => setEmail(e.target.value)} />
            {fields.email && <small className="field-error">{fields.email}</small>}
          </label>
        )}
        <label className="field">
          <span>Password</span>
          <input
            name="password"
            type="password"
            autoComplete={isLogin ? 'current-password' : 'new-password'}
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
            minLength={isLogin ? undefined : 8}
            maxLength={128}
            aria-invalid={!!fields.password}
          />
          {fields.password && <small className="field-error">{fields.password}</small>}
        </label>
        {!isLogin && (
          <label className="field">
            <span>Repeat the password</span>
            <input
              name="password2"
              type="password"
              autoComplete="new-password"
              value={password2}
              onChange={(e) => setPassword2(e.target.value)}
              required
              maxLength={128}
              aria-invalid={mismatch || !!fields.password2}
            />
            {(mismatch || fields.password2) && (
              <small className="field-error" data-testid="password2-error">
                The two passwords differ
              </small>
            )}
          </label>
        )}
        {error && (
          <p className="form-error" role="alert" data-testid="auth-error">
            {error}
          </p>
        )}
        <button type="submit" className="button block" disabled={busy} data-testid={isLogin ? 'login-submit' : 'signup-submit'}>
          {isLogin ? 'Log in' : 'Sign up'}
        </button>
        {isLogin && <ForgotLink />}
        <OAuthButtons />
        <p className="muted">
          {isLogin ? (
            <>
              Need an account? <Link to={`/signup${qs}`}>Sign up</Link>
            </>
          ) : (
            <>
              Already have an account? <Link to={`/login${qs}`}>Log in</Link>
            </>
          )}
        </p>
      </form>
    </main>
  );
}
