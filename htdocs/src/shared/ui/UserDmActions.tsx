// "Message" and "Block"/"Unblock" for another user (member list, profile
// cards): opens or finds the 1:1 conversation and goes there.

import { useQueryClient } from '@tanstack/react-query';
import { useNavigate } from 'react-router-dom';
import { Menu, useContextMenu, type MenuItem } from '@/shared/ui/Menu';
import { blockUser, blocksKey, conversationsKey, openConversation, unblockUser, useBlockedIds } from '@/shared/api/dms';
import { errorMessage } from '@/shared/api/client';
import type { Id } from '@/shared/api/types';

/** Opens the 1:1 with `userId` and navigates to it. */
export function useMessageUser() {
  const navigate = useNavigate();
  const qc = useQueryClient();
  return async (userId: Id) => {
    try {
      const c = await openConversation([userId]);
      void qc.invalidateQueries({ queryKey: conversationsKey });
      navigate(`/dm/${c.id}`);
    } catch (e) {
      window.alert(errorMessage(e));
    }
  };
}

export function UserDmActions({ userId, name }: { userId: Id; name: string }) {
  const menu = useContextMenu();
  const blocked = useBlockedIds().has(userId);
  const qc = useQueryClient();
  const message = useMessageUser();
  const toggleBlock = async () => {
    await (blocked ? unblockUser(userId) : blockUser(userId));
    void qc.invalidateQueries({ queryKey: blocksKey });
  };
  const items: MenuItem[] = [
    { label: 'Message', onSelect: () => void message(userId), testId: 'user-message' },
    { label: blocked ? 'Unblock' : 'Block', onSelect: () => void toggleBlock(), danger: !blocked, testId: blocked ? 'user-unblock' : 'user-block' },
  ];
  return (
    <>
      <button
        type="button"
        className="icon-button menu-button"
        aria-label={`Actions for ${name}`}
        aria-haspopup="menu"
        data-testid="user-actions"
        onClick={(e) => {
          e.stopPropagation();
          menu.openBelow(e.currentTarget);
        }}
      >
        ⋯
      </button>
      {menu.at && <Menu at={menu.at} items={items} label={`Actions for ${name}`} onClose={menu.close} />}
    </>
  );
}
