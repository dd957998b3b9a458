// A user's profile card as others see it: wallpaper, icon, display name,
// username, status, bio, gender, member since and roles in the group. Used
// by the card dialog and by the live preview in the settings.

import type { ReactNode } from 'react';
import type { Profile, Role } from '@/shared/api/types';
import { Avatar } from '@/shared/ui/Avatar';
import { statusColor } from '@/shared/theme/tokens';
import './ProfileCardView.css';

export interface ProfileCardData {
  username: string;
  profile: Pick<Profile, 'full_name' | 'bio' | 'gender' | 'status' | 'icon_url' | 'wallpaper_url' | 'date_joined'>;
  online?: boolean;
}

const ROLE_TITLES: Record<Role, string> = { owner: 'Owner', admin: 'Admin', moderator: 'Moderator', member: 'Member' };

function longDate(iso: string): string {
  return new Date(iso).toLocaleDateString(undefined, { year: 'numeric', month: 'long', day: 'numeric' });
}

interface Props {
  user: ProfileCardData;
  role?: Role | null;
  joinedAt?: string | null;
  /** Buttons under the card (e.g. "Message" once direct messages exist). */
  actions?: ReactNode;
  testId?: string;
}

export function ProfileCardView({ user, role, joinedAt, actions, testId = 'profile-card' }: Props) {
  const p = user.profile;
  const name = p.full_name || user.username;
  const online = user.online ?? p.status !== 'Offline';
  const status = online ? p.status : 'Offline';
  return (
    <div className="profile-card" data-testid={testId}>
      <div
        className="profile-card-wallpaper"
        data-testid="profile-card-wallpaper"
        style={p.wallpaper_url ? { backgroundImage: `url("${p.wallpaper_url}")` } : undefined}
      />
      <div className="profile-card-head">
        <span className="profile-card-avatar">
          <Avatar url={p.icon_url} name={name} size={80} />
          <span className="presence-dot" style={{ background: statusColor(status, online) }} role="img" aria-label={status} />
        </span>
      </div>
      <div className="profile-card-body">
        <h2 className="profile-card-name" data-testid="profile-card-name">
          {name}
        </h2>
        <p className="profile-card-username muted" data-testid="profile-card-username">
          @{user.username}
        </p>
        <dl className="profile-card-facts">
          <dt>Status</dt>
          <dd data-testid="profile-card-status">{status}</dd>
          {p.bio && (
            <>
              <dt>About me</dt>
              <dd className="profile-card-bio" data-testid="profile-card-bio">
                {p.bio}
              </dd>
            </>
          )}
          <dt>Gender</dt>
          <dd data-testid="profile-card-gender">{p.gender}</dd>
          <dt>Member since</dt>
          <dd data-testid="profile-card-since">{longDate(p.date_joined)}</dd>
          {role && (
            <>
              <dt>Roles in this group</dt>
              <dd data-testid="profile-card-role">
                <span className="role-chip">{ROLE_TITLES[role]}</span>
                {joinedAt && <span className="muted small"> since {longDate(joinedAt)}</span>}
              </dd>
            </>
          )}
        </dl>
        {actions && <div className="profile-card-actions">{actions}</div>}
      </div>
    </div>
  );
}
