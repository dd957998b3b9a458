// The rail's top entries: "Direct messages" with the conversations'
// unread and mention counts, and the mentions inbox.

import { NavLink, useMatch } from 'react-router-dom';
import { useConversations } from '@/shared/api/dms';
import { useUnreadStore } from '@/shared/stores/unreadStore';
import { useMentionStore } from '@/shared/stores/mentionStore';
import { MentionBadge } from '@/shared/ui/MentionBadge';

export function RailDirect() {
  const { data } = useConversations();
  const unreadGroups = useUnreadStore((s) => s.groups);
  const mentionGroups = useMentionStore((s) => s.groups);
  const inDm = useMatch('/dm/*') !== null;
  let unread = 0;
  let mentions = 0;
  for (const c of data ?? []) {
    unread += unreadGroups[c.id] ?? c.unread_count;
    mentions += mentionGroups[c.id] ?? c.mention_count;
  }
  const label = `Direct messages${unread > 0 ? ` (${unread} unread)` : ''}${mentions > 0 ? ` (${mentions} mentions)` : ''}`;
  return (
    <>
      <div className="rail-entry">
        {unread > 0 && !inDm && <span className="unread-dot" aria-hidden="true" />}
        <NavLink to="/dm" className="rail-item rail-action rail-dms" aria-label={label} title="Direct messages" data-testid="rail-dms" data-unread={unread}>
          <span aria-hidden="true">✉</span>
        </NavLink>
        {unread > 0 && (
          <span className="rail-count" data-testid="rail-dms-unread">
            {unread > 99 ? '99+' : unread}
          </span>
        )}
        <MentionBadge count={mentions} label={`${mentions} mentions in direct messages`} />
      </div>
      <NavLink to="/mentions" className="rail-item rail-action" aria-label="Mentions" title="Mentions" data-testid="rail-mentions">
        <span aria-hidden="true">@</span>
      </NavLink>
    </>
  );
}
