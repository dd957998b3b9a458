// `/` for signed-out visitors: what Easy Chat is, sign in / sign up, the
// Google and GitHub buttons when enabled, and a peek at the public
// directory (GET /api/public-groups needs no sign-in).

import { Link } from 'react-router-dom';
import { useQuery } from '@tanstack/react-query';
import { api } from '@/shared/api/client';
import type { Page, PublicGroup } from '@/shared/api/types';
import { Avatar } from '@/shared/ui/Avatar';
import { OAuthButtons } from './OAuthButtons';
import './landing.css';

const PEEK = 6;

export function LandingPage() {
  const { data } = useQuery({
    queryKey: ['public-groups', 'peek'],
    queryFn: () => api.get<Page<PublicGroup>>('/public-groups', { query: { limit: PEEK }, allow401: true }),
    staleTime: 60_000,
  });
  return (
    <main className="landing" data-testid="landing">
      <section className="landing-hero">
        <h1>Easy Chat</h1>
        <p className="landing-lead">
          Groups with topics and rooms, real-time messages, presence and search — on a server you can run yourself.
        </p>
        <div className="landing-actions">
          <Link className="button" to="/signup" data-testid="landing-signup">
            Sign up
          </Link>
          <Link className="button secondary" to="/login" data-testid="landing-login">
            Sign in
          </Link>
        </div>
        <div className="landing-oauth">
          <OAuthButtons />
        </div>
      </section>
      <section className="landing-peek" aria-labelledby="peek-title">
        <h2 id="peek-title">Public groups</h2>
        {data && data.items.length === 0 && <p className="muted">No public groups yet — be the first to start one.</p>}
        <ul className="landing-groups">
          {data?.items.map((g) => (
            <li key={g.id} className="landing-group" data-testid="landing-group" data-group-id={g.id}>
              <Avatar url={g.icon_url} name={g.name} size={48} square />
              <div className="landing-group-text">
                <strong>{g.name}</strong>
                <span className="muted small">
                  {g.category} · {g.member_count} {g.member_count === 1 ? 'member' : 'members'} · {g.online_count} online
                </span>
                {g.description && <span className="small">{g.description}</span>}
              </div>
            </li>
          ))}
        </ul>
        {data && data.items.length > 0 && (
          <p className="muted small">
            <Link to="/signup">Sign up</Link> to join them.
          </p>
        )}
      </section>
    </main>
  );
}
