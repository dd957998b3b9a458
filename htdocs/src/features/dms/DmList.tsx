// The list of direct conversations (left of /dm), most recently active
// first, each with its unread and mention counts, and a menu with its
// notification settings.

import { NavLink } from 'react-router-dom';
import { conversationTitle, useConversations } from '@/shared/api/dms';
import { useSelf } from '@/shared/api/auth';
import { useUnreadStore } from '@/shared/stores/unreadStore';
import { Avatar } from '@/shared/ui/Avatar';
import { GroupMentionBadge } from '@/shared/ui/MentionBadge';
import type { Id } from '@/shared/api/types';
import { Menu, MenuButton, useContextMenu } from '@/shared/ui/Menu';
import { openNotifySettings, type NotifyTarget } from '@/shared/stores/notifyDialogStore';

function DmMenu({ target }: { target: NotifyTarget }) {
  const menu = useContextMenu();
  return (
    <>
      <MenuButton label={`Options for ${target.name}`} onOpen={menu.openBelow} />
      {menu.at && (
        <Menu
          at={menu.at}
          label={`Conversation ${target.name}`}
          onClose={menu.close}
          items={[{ label: 'Notifications', testId: 'dm-notify', onSelect: () => openNotifySettings(target) }]}
        />
      )}
    </>
  );
}

export function DmList({ activeId }: { activeId: Id | null }) {
  const { data, isLoading, error } = useConversations();
  const me = useSelf();
  const unread = useUnreadStore((s) => s.groups);
  return (
    <aside className="sidebar" aria-label="Direct messages">
      <header className="sidebar-header">
        <h1 className="sidebar-title">Direct messages</h1>
      </header>
      <div className="sidebar-scroll">
        {isLoading && <p className="muted pad">Loading…</p>}
        {error && <p className="muted pad" role="alert">Could not load conversations.</p>}
        {data && data.length === 0 && (
          <p className="muted pad" data-testid="dm-empty">
            No conversations yet. Use “Message” on a member to start one.
          </p>
        )}
        <ul className="room-list">
          {data?.map((c) => {
            const title = conversationTitle(c, me.id);
            const other = c.members.find((m) => m.id !== me.id) ?? c.members[0];
            const count = unread[c.id] ?? c.unread_count;
            const active = c.id === activeId;
            return (
              <li key={c.id} className="room-entry">
                <NavLink
                  to={`/dm/${c.id}`}
                  className={`room-item dm-item${count > 0 && !active ? ' unread' : ''}${active ? ' active' : ''}`}
                  data-testid="dm-item"
                  data-conversation-id={c.id}
                  data-unread={count > 0 && !active ? 'true' : 'false'}
                  aria-current={active ? 'page' : undefined}
                >
                  <Avatar url={c.is_group ? null : other?.icon_url ?? null} name={title} size={24} />
                  <span className="room-name">{title}</span>
                  <GroupMentionBadge groupId={c.id} fallback={c.mention_count} />
                  {count > 0 && !active && <span className="badge">{count}</span>}
                </NavLink>
                <DmMenu target={{ scope: 'rooms', id: c.room_id, groupId: c.id, isDm: true, name: title }} />
              </li>
            );
          })}
        </ul>
      </div>
    </aside>
  );
}
