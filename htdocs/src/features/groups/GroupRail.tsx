// The left rail: home (public groups), my groups with unread dots (each
// with a menu on right-click, long-press or the menu key: mark as read,
// invite, settings, leave), create-group, search, settings.

import { useState } from 'react';
import { NavLink, useMatch, useNavigate } from 'react-router-dom';
import { Avatar } from '@/shared/ui/Avatar';
import { useGroups } from '@/shared/api/groups';
import { RailGroupMenu, useRailMenu } from './RailGroupMenu';
import { useUnreadStore } from '@/shared/stores/unreadStore';
import { CreateGroupDialog } from './CreateGroupDialog';
import { useSelf } from '@/shared/api/auth';
import { UserMenu } from './UserMenu';
import { CompassIcon, PlusIcon, SearchIcon } from '@/shared/ui/icons';
import { GroupMentionBadge } from '@/shared/ui/MentionBadge';
import { RailDirect } from './RailDirect';

export function GroupRail({ onSignedOut }: { onSignedOut: () => void }) {
  const { data: groups } = useGroups();
  const unread = useUnreadStore((s) => s.groups);
  const groupId = useMatch('/g/:groupId/*')?.params.groupId;
  const [creating, setCreating] = useState(false);
  const navigate = useNavigate();
  const me = useSelf();
  const railMenu = useRailMenu();

  return (
    <nav className="rail" aria-label="Groups">
      <NavLink to="/directory" className="rail-item rail-home" aria-label="Browse public groups" data-testid="rail-directory">
        <CompassIcon size={24} />
      </NavLink>
      <RailDirect />
      <div className="rail-sep" role="separator" />
      <ul className="rail-list">
        {groups?.map((g) => {
          const active = String(g.id) === groupId;
          const hasUnread = (unread[g.id] ?? g.unread_count ?? 0) > 0;
          return (
            <li key={g.id} className="rail-entry">
              {hasUnread && !active && <span className="unread-dot" data-testid="unread-dot" aria-hidden="true" />}
              <NavLink
                {...railMenu.handlers(g)}
                to={`/g/${g.id}`}
                className={active ? 'rail-item active' : 'rail-item'}
                aria-label={hasUnread ? `${g.name} (unread messages)` : g.name}
                title={g.name}
                data-testid="group-rail-item"
                data-group-id={g.id}
                data-unread={hasUnread ? 'true' : 'false'}
                aria-current={active ? 'page' : undefined}
              >
                <Avatar url={g.icon_url} name={g.name} size={48} square={!active} />
              </NavLink>
              <GroupMentionBadge groupId={g.id} fallback={g.mention_count ?? 0} />
            </li>
          );
        })}
      </ul>
      <button type="button" className="rail-item rail-action" aria-label="Create a group" title="Create a group" data-testid="create-group-button" onClick={() => setCreating(true)}>
        <PlusIcon size={24} />
      </button>
      <NavLink to="/search" className="rail-item rail-action" aria-label="Search messages" title="Search messages" data-testid="rail-search">
        <SearchIcon size={22} />
      </NavLink>
      <div className="rail-spacer" />
      <UserMenu me={me} onSignedOut={onSignedOut} />
      <RailGroupMenu menu={railMenu} />
      {creating && (
        <CreateGroupDialog
          onClose={() => setCreating(false)}
          onCreated={(id) => {
            setCreating(false);
            navigate(`/g/${id}`);
          }}
        />
      )}
    </nav>
  );
}
