// The member list on the right: grouped by role, online first, with live
// presence dots (REST baseline + `presence` events).

import { useMemo } from 'react';
import type { GroupDetail, Member, Role } from '@/shared/api/types';
import { Avatar } from '@/shared/ui/Avatar';
import { statusColor } from '@/shared/theme/tokens';
import { useMembers } from '@/shared/api/members';
import { useSelf } from '@/shared/api/auth';
import { UserDmActions } from '@/shared/ui/UserDmActions';
import { resolvePresence, usePresenceStore } from './presenceStore';

const SECTIONS: { role: Role; title: string }[] = [
  { role: 'owner', title: 'Owner' },
  { role: 'admin', title: 'Admins' },
  { role: 'moderator', title: 'Moderators' },
  { role: 'member', title: 'Members' },
];

export function MemberList({ group }: { group: GroupDetail }) {
  const { data, dataUpdatedAt, isLoading } = useMembers(group.id);
  const presence = usePresenceStore((s) => s.users);
  const me = useSelf();

  const rows = useMemo(() => {
    return (data ?? []).map((m) => {
      const p = resolvePresence({ online: m.online, status: m.user.profile.status }, presence[m.user.id], dataUpdatedAt);
      return { member: m, ...p };
    });
  }, [data, presence, dataUpdatedAt]);

  return (
    <aside className="members" aria-label="Members" data-testid="member-list">
      {isLoading && <p className="muted pad">Loading members…</p>}
      {SECTIONS.map(({ role, title }) => {
        const list = rows
          .filter((r) => r.member.role === role)
          .sort((a, b) => Number(b.online) - Number(a.online) || displayName(a.member).localeCompare(displayName(b.member)));
        if (list.length === 0) return null;
        return (
          <section key={role} className="member-section">
            <h3 className="section-title">
              {title} — {list.length}
            </h3>
            <ul>
              {list.map(({ member, online, status }) => (
                <li
                  key={member.user.id}
                  className={online ? 'member' : 'member offline'}
                  data-testid="member"
                  data-user-id={member.user.id}
                  data-username={member.user.username}
                  data-role={member.role}
                  data-online={online ? 'true' : 'false'}
                >
                  <span className="member-avatar">
                    <Avatar url={member.user.profile.icon_url} name={displayName(member)} size={32} />
                    <span
                      className="presence-dot"
                      data-testid="presence-dot"
                      data-online={online ? 'true' : 'false'}
                      style={{ background: statusColor(status, online) }}
                      role="img"
                      aria-label={online ? status : 'Offline'}
                    />
                  </span>
                  <span className="member-name">{displayName(member)}</span>
                  {member.user.id !== me.id && <UserDmActions userId={member.user.id} name={displayName(member)} />}
                </li>
              ))}
            </ul>
          </section>
        );
      })}
    </aside>
  );
}

function displayName(m: Member): string {
  return m.user.profile.full_name || m.user.username;
}
