// The menu of a group in the rail: mark as read, notifications, invite people and group
// settings (admins and the owner), leave (not the owner). Opened by
// right-click, a long press (touch) or the menu key / Shift+F10.

import { useRef, useState, type KeyboardEvent, type MouseEvent as ReactMouseEvent, type TouchEvent } from 'react';
import { useNavigate } from 'react-router-dom';
import { useQueryClient } from '@tanstack/react-query';
import type { GroupSummary } from '@/shared/api/types';
import { groupKey, groupsKey, leaveGroup, markGroupRead, roleAtLeast } from '@/shared/api/groups';
import { errorMessage } from '@/shared/api/client';
import { useUnreadStore } from '@/shared/stores/unreadStore';
import { Menu, type MenuItem } from '@/shared/ui/Menu';
import { ConfirmDialog, Dialog } from '@/shared/ui/Dialog';
import { InviteDialog } from '@/shared/ui/InviteDialog';
import { openNotifySettings } from '@/shared/stores/notifyDialogStore';

const LONG_PRESS_MS = 500;

interface RailMenuState {
  group: GroupSummary | null;
  at: { x: number; y: number } | null;
  modal: 'invite' | 'leave' | 'error' | null;
}

export function useRailMenu() {
  const [state, setState] = useState<RailMenuState>({ group: null, at: null, modal: null });
  const press = useRef<number | null>(null);
  const openAt = (group: GroupSummary, x: number, y: number) => setState({ group, at: { x, y }, modal: null });
  const below = (group: GroupSummary, el: HTMLElement) => {
    const r = el.getBoundingClientRect();
    openAt(group, r.right + 4, r.top);
  };
  return {
    state,
    setState,
    handlers: (group: GroupSummary) => ({
      onContextMenu: (e: ReactMouseEvent<HTMLAnchorElement>) => {
        e.preventDefault();
        openAt(group, e.clientX, e.clientY);
      },
      onKeyDown: (e: KeyboardEvent<HTMLAnchorElement>) => {
        if (e.key === 'ContextMenu' || (e.shiftKey && e.key === 'F10')) {
          e.preventDefault();
          below(group, e.currentTarget);
        }
      },
      onTouchStart: (e: TouchEvent<HTMLAnchorElement>) => {
        const el = e.currentTarget;
        press.current = window.setTimeout(() => below(group, el), LONG_PRESS_MS);
      },
      onTouchEnd: () => {
        if (press.current !== null) window.clearTimeout(press.current);
      },
      onTouchMove: () => {
        if (press.current !== null) window.clearTimeout(press.current);
      },
    }),
  };
}

export function RailGroupMenu({ menu }: { menu: ReturnType<typeof useRailMenu> }) {
  const { state, setState } = menu;
  const navigate = useNavigate();
  const qc = useQueryClient();
  const [error, setError] = useState('');
  const g = state.group;
  if (!g) return null;
  const close = () => setState({ group: null, at: null, modal: null });
  const isAdmin = roleAtLeast(g.my_role, 'admin');

  const items: MenuItem[] = [
    {
      label: 'Mark as read',
      testId: 'rail-menu-read',
      onSelect: () => {
        markGroupRead(g.id)
          .then(() => Promise.all([qc.invalidateQueries({ queryKey: groupsKey }), qc.invalidateQueries({ queryKey: groupKey(g.id) })]))
          .catch((e) => {
            setError(errorMessage(e));
            setState({ group: g, at: null, modal: 'error' });
          });
      },
    },
    {
      label: 'Notifications',
      testId: 'rail-menu-notify',
      onSelect: () => openNotifySettings({ scope: 'groups', id: g.id, groupId: g.id, isDm: false, name: g.name }),
    },
  ];
  if (isAdmin) {
    items.push({ label: 'Invite people', testId: 'rail-menu-invite', onSelect: () => setState({ group: g, at: null, modal: 'invite' }) });
    items.push({ label: 'Group settings', testId: 'rail-menu-settings', onSelect: () => navigate(`/g/${g.id}/settings`) });
  }
  if (g.my_role !== 'owner') {
    items.push({ label: 'Leave group', danger: true, testId: 'rail-menu-leave', onSelect: () => setState({ group: g, at: null, modal: 'leave' }) });
  }

  const leave = async () => {
    try {
      await leaveGroup(g.id);
      qc.removeQueries({ queryKey: groupKey(g.id) });
      useUnreadStore.getState().forgetGroup(g.id);
      await qc.invalidateQueries({ queryKey: groupsKey });
      close();
      navigate('/directory');
    } catch (e) {
      setError(errorMessage(e));
    }
  };

  return (
    <>
      {state.at && (
        <Menu
          at={state.at}
          items={items}
          label={`Group ${g.name}`}
          onClose={() => setState((s) => (s.modal ? { ...s, at: null } : { group: null, at: null, modal: null }))}
        />
      )}
      {state.modal === 'invite' && <InviteDialog groupId={g.id} onClose={close} />}
      {state.modal === 'error' && (
        <Dialog
          title={`Group ${g.name}`}
          onClose={() => {
            setError('');
            close();
          }}
        >
          <p role="alert">{error}</p>
        </Dialog>
      )}
      {state.modal === 'leave' && (
        <ConfirmDialog
          title="Leave group"
          message={error || `Leave ${g.name}?`}
          confirmLabel="Leave"
          onConfirm={leave}
          onClose={() => {
            setError('');
            close();
          }}
        />
      )}
    </>
  );
}
