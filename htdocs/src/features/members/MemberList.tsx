// The member list on the right: the online members grouped by role, then
// an "Offline" section, with live presence dots (REST baseline +
// `presence` events). A member opens their profile card; right-click,
// long-press or the member's menu key offer profile, role, kick and (for
// moderators and up) time out, lift a timeout and ban, for those allowed. Members load a page at a time ("Show more members").

import { useMemo, useRef, useState, useSyncExternalStore, type KeyboardEvent, type MouseEvent as ReactMouseEvent } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import type { GroupDetail, Member, Role } from '@/shared/api/types';
import { Avatar } from '@/shared/ui/Avatar';
import { statusColor } from '@/shared/theme/tokens';
import { kickMember, membersKey, setMemberRole, useMembers } from '@/shared/api/members';
import { assignableRoles, groupKey, roleRank } from '@/shared/api/groups';
import { useSelf } from '@/shared/api/auth';
import { errorMessage } from '@/shared/api/client';
import { Menu, useContextMenu, type MenuItem } from '@/shared/ui/Menu';
import { ConfirmDialog } from '@/shared/ui/Dialog';
import { openProfileCard } from '@/shared/stores/profileCardStore';
import { UserDmActions } from '@/shared/ui/UserDmActions';
import { useMemberModeration } from '@/shared/ui/memberModeration';
import { realtime } from '@/shared/ws/socket';
import { resolvePresence, usePresenceStore } from './presenceStore';
import './members.css';

const SECTIONS: { role: Role; title: string }[] = [
  { role: 'owner', title: 'Owner' },
  { role: 'admin', title: 'Admins' },
  { role: 'moderator', title: 'Moderators' },
  { role: 'member', title: 'Members' },
];

const ROLE_NAMES: Record<Role, string> = { owner: 'owner', admin: 'admin', moderator: 'moderator', member: 'member' };

/** How long a touch must rest on a member to open its menu. */
const LONG_PRESS_MS = 500;

interface Row {
  member: Member;
  online: boolean;
  status: string;
}

export function MemberList({ group }: { group: GroupDetail }) {
  const { data, dataUpdatedAt, isLoading, hasMore, loadMore, loadingMore } = useMembers(group.id);
  const presence = usePresenceStore((s) => s.users);
  const selfId = useSelf().id;
  const connected = useSyncExternalStore((cb) => realtime.onStatus(cb), () => realtime.currentStatus) === 'open';

  const rows = useMemo<Row[]>(() => {
    return (data ?? []).map((m) => {
      const p = resolvePresence({ online: m.online, status: m.user.profile.status }, presence[m.user.id], dataUpdatedAt,
        m.user.id === selfId ? { connected } : undefined);
      return { member: m, ...p };
    });
  }, [data, presence, dataUpdatedAt, selfId, connected]);

  const byName = (a: Row, b: Row) => displayName(a.member).localeCompare(displayName(b.member));
  const offline = rows.filter((r) => !r.online).sort(byName);

  return (
    <aside className="members" aria-label="Members" data-testid="member-list">
      {isLoading && <p className="muted pad">Loading members…</p>}
      {SECTIONS.map(({ role, title }) => {
        const list = rows.filter((r) => r.online && r.member.role === role).sort(byName);
        if (list.length === 0) return null;
        return <MemberSection key={role} title={title} rows={list} group={group} testId={`member-section-${role}`} />;
      })}
      {offline.length > 0 && <MemberSection title="Offline" rows={offline} group={group} testId="member-section-offline" />}
      {hasMore && (
        <button type="button" className="link-button members-more" onClick={loadMore} disabled={loadingMore} data-testid="members-more">
          {loadingMore ? 'Loading…' : 'Show more members'}
        </button>
      )}
    </aside>
  );
}

function MemberSection({ title, rows, group, testId }: { title: string; rows: Row[]; group: GroupDetail; testId: string }) {
  return (
    <section className="member-section" data-testid={testId}>
      <h3 className="section-title">
        {title} — {rows.length}
      </h3>
      <ul>
        {rows.map((r) => (
          <MemberRow key={r.member.user.id} row={r} group={group} />
        ))}
      </ul>
    </section>
  );
}

function MemberRow({ row, group }: { row: Row; group: GroupDetail }) {
  const { member, online, status } = row;
  const me = useSelf();
  const qc = useQueryClient();
  const menu = useContextMenu();
  const [kicking, setKicking] = useState(false);
  const [error, setError] = useState('');
  const mod = useMemberModeration(group.id, group.my_role, member, me.id, 'member-menu');
  const press = useRef<number | null>(null);
  const name = displayName(member);
  const self = member.user.id === me.id;

  const items: MenuItem[] = [{ label: 'Profile', onSelect: () => openProfileCard(member.user.id, group.id), testId: 'member-menu-profile' }];
  if (!self) {
    for (const role of assignableRoles(group.my_role, member.role)) {
      if (role === member.role) continue;
      items.push({
        label: `Make ${ROLE_NAMES[role]}`,
        testId: `member-menu-role-${role}`,
        onSelect: () => {
          setError('');
          setMemberRole(group.id, member.user.id, role)
            .then(() => Promise.all([qc.invalidateQueries({ queryKey: membersKey(group.id) }), role === 'owner' && qc.invalidateQueries({ queryKey: groupKey(group.id) })]))
            .catch((e) => setError(errorMessage(e)));
        },
      });
    }
    if (roleRank(member.role) < roleRank(group.my_role)) items.push({ label: 'Kick', danger: true, testId: 'member-menu-kick', onSelect: () => setKicking(true) });
    // Time out… / Lift timeout and Ban, for moderators and up.
    items.push(...mod.items);
  }

  const kick = async () => {
    try {
      await kickMember(group.id, member.user.id);
      await qc.invalidateQueries({ queryKey: membersKey(group.id) });
    } catch (e) {
      setError(errorMessage(e));
    }
    setKicking(false);
  };

  const onKey = (e: KeyboardEvent<HTMLButtonElement>) => {
    if (e.key === 'ContextMenu' || (e.shiftKey && e.key === 'F10')) {
      e.preventDefault();
      menu.openBelow(e.currentTarget);
    }
  };
  const startPress = (e: React.TouchEvent<HTMLButtonElement>) => {
    const el = e.currentTarget;
    press.current = window.setTimeout(() => menu.openBelow(el), LONG_PRESS_MS);
  };
  const endPress = () => {
    if (press.current !== null) window.clearTimeout(press.current);
    press.current = null;
  };

  return (
    <li
      className={online ? 'member' : 'member offline'}
      data-testid="member"
      data-user-id={member.user.id}
      data-username={member.user.username}
      data-role={member.role}
      data-online={online ? 'true' : 'false'}
    >
      <button
        type="button"
        className="member-button"
        aria-label={`${name}, ${online ? status : 'Offline'}: profile (menu key for more)`}
        aria-haspopup="menu"
        data-testid="member-button"
        onClick={() => openProfileCard(member.user.id, group.id)}
        onContextMenu={(e: ReactMouseEvent) => menu.openAt(e)}
        onKeyDown={onKey}
        onTouchStart={startPress}
        onTouchEnd={endPress}
        onTouchMove={endPress}
      >
        <span className="member-avatar">
          <Avatar url={member.user.profile.icon_url} name={name} size={32} />
          <span
            className="presence-dot"
            data-testid="presence-dot"
            data-online={online ? 'true' : 'false'}
            style={{ background: statusColor(status, online) }}
            role="img"
            aria-label={online ? status : 'Offline'}
          />
        </span>
        <span className="member-name">{name}</span>
      </button>
      {member.user.id !== me.id && <UserDmActions userId={member.user.id} name={name} />}
      {(error || mod.error) && (
        <small className="field-error" role="alert">
          {error || mod.error}
        </small>
      )}
      {menu.at && <Menu at={menu.at} items={items} label={`Actions for ${name}`} onClose={menu.close} />}
      {mod.dialogs}
      {kicking && <ConfirmDialog title="Kick member" message={`Remove ${member.user.username} from the group?`} confirmLabel="Kick" onConfirm={kick} onClose={() => setKicking(false)} />}
    </li>
  );
}

function displayName(m: Member): string {
  return m.user.profile.full_name || m.user.username;
}
