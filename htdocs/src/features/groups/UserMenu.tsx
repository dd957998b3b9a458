// My avatar at the bottom of the rail: settings, status, log out.

import { useNavigate } from 'react-router-dom';
import { useQueryClient } from '@tanstack/react-query';
import { Avatar } from '@/shared/ui/Avatar';
import { Menu, useContextMenu } from '@/shared/ui/Menu';
import { realtime } from '@/shared/ws/socket';
import type { User, UserStatus } from '@/shared/api/types';
import { USER_STATUSES } from '@/shared/api/types';
import { logout } from '@/shared/api/auth';

/** `onSignedOut` drops the app's real-time state (the app composes it). */
export function UserMenu({ me, onSignedOut }: { me: User; onSignedOut: () => void }) {
  const menu = useContextMenu();
  const navigate = useNavigate();
  const qc = useQueryClient();

  const doLogout = async () => {
    try {
      await logout();
    } catch {
      /* signed out locally anyway */
    }
    realtime.stop();
    onSignedOut();
    qc.clear();
    qc.setQueryData(['me'], null);
    navigate('/login', { replace: true });
  };

  const setStatus = (status: UserStatus) => {
    realtime.send({ type: 'status', status });
    qc.setQueryData<User | null>(['me'], (u) => (u ? { ...u, profile: { ...u.profile, status, default_status: status } } : u));
  };

  return (
    <>
      <button
        type="button"
        className="rail-item rail-user"
        aria-label={`Account menu for ${me.username}`}
        aria-haspopup="menu"
        data-testid="user-menu-button"
        onClick={(e) => menu.openBelow(e.currentTarget)}
      >
        <Avatar url={me.profile.icon_url} name={me.profile.full_name || me.username} size={40} testId="self-avatar" />
      </button>
      {menu.at && (
        <Menu
          at={{ x: menu.at.x + 60, y: menu.at.y - 260 }}
          label="Account"
          onClose={menu.close}
          items={[
            { label: 'Settings', onSelect: () => navigate('/settings'), testId: 'open-settings' },
            ...USER_STATUSES.filter((s) => s !== 'Offline').map((s) => ({ label: `Status: ${s}`, onSelect: () => setStatus(s) })),
            { label: 'Log out', onSelect: doLogout, danger: true, testId: 'logout' },
          ]}
        />
      )}
    </>
  );
}
