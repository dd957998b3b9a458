// The "Continue with Google / GitHub" buttons, when enabled: on the log-in
// and sign-up screens and on the landing page (kept apart from the forms so
// that the landing page does not pull them into the first bundle).

import { useProviders } from '@/shared/api/auth';

export function OAuthButtons() {
  const { data } = useProviders();
  if (!data || (!data.google && !data.github)) return null;
  return (
    <div className="oauth" data-testid="oauth-buttons">
      <div className="divider-text">or</div>
      {data.google && (
        <a className="button secondary block" href="/api/auth/oauth/google/start" data-testid="oauth-google">
          Continue with Google
        </a>
      )}
      {data.github && (
        <a className="button secondary block" href="/api/auth/oauth/github/start" data-testid="oauth-github">
          Continue with GitHub
        </a>
      )}
    </div>
  );
}
