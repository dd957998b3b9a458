// The group's sidebar: header menu (invite, settings, leave), topics and
// rooms with unread counts; admins manage topics and rooms through context
// menus (right-click or the "⋯" buttons), where moderators set slow mode.

import { useState } from 'react';
import { NavLink, useNavigate } from 'react-router-dom';
import { useQueryClient } from '@tanstack/react-query';
import type { GroupDetail, RoomSummary, Topic } from '@/shared/api/types';
import { Menu, MenuButton, useContextMenu, type MenuItem } from '@/shared/ui/Menu';
import { PromptDialog } from '@/shared/ui/PromptDialog';
import { ConfirmDialog } from '@/shared/ui/Dialog';
import { errorMessage } from '@/shared/api/client';
import { InviteDialog } from '@/shared/ui/InviteDialog';
import {
  createRoom,
  createTopic,
  deleteRoom,
  deleteTopic,
  groupKey,
  groupsKey,
  leaveGroup,
  renameTopic,
  roleAtLeast,
  updateRoom,
} from '@/shared/api/groups';
import { useUnreadStore } from '@/shared/stores/unreadStore';
import { RoomMentionBadge } from '@/shared/ui/MentionBadge';
import { openNotifySettings } from '@/shared/stores/notifyDialogStore';
import { SlowModeDialog } from './SlowModeDialog';

type Modal =
  | { kind: 'prompt'; title: string; label: string; initial?: string; submit: string; max: number; run: (v: string) => Promise<unknown> }
  | { kind: 'confirm'; title: string; message: string; confirm: string; run: () => Promise<unknown> }
  | { kind: 'invite' }
  | { kind: 'slow'; room: RoomSummary }
  | null;

export function Sidebar({ group, roomId }: { group: GroupDetail; roomId: number | null }) {
  const qc = useQueryClient();
  const navigate = useNavigate();
  const isAdmin = roleAtLeast(group.my_role, 'admin');
  const [modal, setModal] = useState<Modal>(null);
  const [confirmError, setConfirmError] = useState('');
  const headerMenu = useContextMenu();
  const refresh = () => qc.invalidateQueries({ queryKey: groupKey(group.id) });

  const addTopic = () =>
    setModal({ kind: 'prompt', title: 'Create topic', label: 'Topic name', submit: 'Create', max: 22, run: (v) => createTopic(group.id, v).then(refresh) });

  const headerItems: MenuItem[] = [
    {
      label: 'Notifications',
      testId: 'group-notify',
      onSelect: () => openNotifySettings({ scope: 'groups', id: group.id, groupId: group.id, isDm: false, name: group.name }),
    },
    ...(isAdmin
      ? [
          { label: 'Invite people', onSelect: () => setModal({ kind: 'invite' }), testId: 'invite-open' },
          { label: 'Group settings', onSelect: () => navigate(`/g/${group.id}/settings`), testId: 'group-settings-open' },
          { label: 'Create topic', onSelect: addTopic, testId: 'topic-create' },
        ]
      : []),
    ...(group.my_role !== 'owner'
      ? [
          {
            label: 'Leave group',
            danger: true,
            testId: 'group-leave',
            onSelect: () =>
              setModal({
                kind: 'confirm',
                title: 'Leave group',
                message: `Leave ${group.name}?`,
                confirm: 'Leave',
                run: async () => {
                  await leaveGroup(group.id);
                  qc.removeQueries({ queryKey: groupKey(group.id) });
                  useUnreadStore.getState().forgetGroup(group.id);
                  await qc.invalidateQueries({ queryKey: groupsKey });
                  navigate('/directory');
                },
              }),
          },
        ]
      : []),
  ];

  const topicItems = (t: Topic): MenuItem[] => [
    {
      label: 'Create room',
      testId: 'room-create',
      onSelect: () =>
        setModal({
          kind: 'prompt',
          title: `Create room in ${t.name}`,
          label: 'Room name',
          submit: 'Create',
          max: 22,
          // The new room opens at once.
          run: (v) =>
            createRoom(t.id, v).then(async (room) => {
              await refresh();
              navigate(`/g/${group.id}/r/${room.id}`);
            }),
        }),
    },
    {
      label: 'Rename topic',
      testId: 'topic-rename',
      onSelect: () => setModal({ kind: 'prompt', title: 'Rename topic', label: 'Topic name', initial: t.name, submit: 'Save', max: 22, run: (v) => renameTopic(t.id, v).then(refresh) }),
    },
    {
      label: 'Delete topic',
      danger: true,
      testId: 'topic-delete',
      onSelect: () =>
        setModal({ kind: 'confirm', title: 'Delete topic', message: `Delete topic “${t.name}” and all its rooms?`, confirm: 'Delete', run: () => deleteTopic(t.id).then(refresh) }),
    },
  ];

  // Everyone: notifications; moderators: slow mode; admins: the room's
  // settings too.
  const isModerator = roleAtLeast(group.my_role, 'moderator');
  const roomItems = (r: RoomSummary): MenuItem[] => [
    {
      label: 'Notifications',
      testId: 'room-notify',
      onSelect: () => openNotifySettings({ scope: 'rooms', id: r.id, groupId: group.id, isDm: false, name: `#${r.name}` }),
    },
    ...(isModerator ? [{ label: 'Slow mode…', testId: 'room-slow-mode', onSelect: () => setModal({ kind: 'slow', room: r }) }] : []),
    ...(isAdmin ? adminRoomItems(r) : []),
  ];

  const adminRoomItems = (r: RoomSummary): MenuItem[] => [
    {
      label: 'Rename room',
      testId: 'room-rename',
      onSelect: () => setModal({ kind: 'prompt', title: 'Rename room', label: 'Room name', initial: r.name, submit: 'Save', max: 22, run: (v) => updateRoom(r.id, { name: v }).then(refresh) }),
    },
    {
      label: 'Edit description',
      onSelect: () =>
        setModal({ kind: 'prompt', title: 'Room description', label: 'Description', initial: r.description, submit: 'Save', max: 100, run: (v) => updateRoom(r.id, { description: v }).then(refresh) }),
    },
    {
      label: 'Delete room',
      danger: true,
      testId: 'room-delete',
      onSelect: () =>
        setModal({
          kind: 'confirm',
          title: 'Delete room',
          message: `Delete #${r.name} and its messages?`,
          confirm: 'Delete',
          run: async () => {
            await deleteRoom(r.id);
            await refresh();
            if (r.id === roomId) navigate(`/g/${group.id}`);
          },
        }),
    },
  ];

  return (
    <aside className="sidebar" aria-label={`${group.name} rooms`}>
      <header className="sidebar-header">
        <h1 className="sidebar-title" data-testid="group-name">
          {group.name}
        </h1>
        <MenuButton label="Group menu" onOpen={headerMenu.openBelow} />
        {headerMenu.at && <Menu at={headerMenu.at} items={headerItems} label="Group menu" onClose={headerMenu.close} />}
      </header>
      {isAdmin && (
        <button type="button" className="sidebar-invite" onClick={() => setModal({ kind: 'invite' })} data-testid="invite-button">
          + Invite people
        </button>
      )}
      <div className="sidebar-scroll">
        {group.topics.map((t) => (
          <TopicSection key={t.id} topic={t} groupId={group.id} isAdmin={isAdmin} topicItems={topicItems(t)} roomItems={roomItems} />
        ))}
        {isAdmin && (
          <button type="button" className="link-button" onClick={addTopic} aria-label="Create topic" data-testid="topic-add">
            + Add topic
          </button>
        )}
      </div>
      {modal?.kind === 'prompt' && (
        <PromptDialog title={modal.title} label={modal.label} initial={modal.initial} submitLabel={modal.submit} maxLength={modal.max} onSubmit={modal.run} onClose={() => setModal(null)} />
      )}
      {modal?.kind === 'confirm' && (
        <ConfirmDialog
          title={modal.title}
          message={confirmError || modal.message}
          confirmLabel={modal.confirm}
          onClose={() => {
            setConfirmError('');
            setModal(null);
          }}
          onConfirm={() =>
            modal
              .run()
              .then(() => setModal(null))
              .catch((e) => setConfirmError(errorMessage(e)))
          }
        />
      )}
      {modal?.kind === 'invite' && <InviteDialog groupId={group.id} onClose={() => setModal(null)} />}
      {modal?.kind === 'slow' && <SlowModeDialog room={modal.room} onDone={refresh} onClose={() => setModal(null)} />}
    </aside>
  );
}

function TopicSection({
  topic,
  groupId,
  isAdmin,
  topicItems,
  roomItems,
}: {
  topic: Topic;
  groupId: number;
  isAdmin: boolean;
  topicItems: MenuItem[];
  roomItems: (r: RoomSummary) => MenuItem[];
}) {
  const menu = useContextMenu();
  const [collapsed, setCollapsed] = useState(false);
  return (
    <section className="topic" data-testid="topic" data-topic-id={topic.id} aria-label={`Topic ${topic.name}`}>
      <div className="topic-header" onContextMenu={isAdmin ? menu.openAt : undefined}>
        <button type="button" className="topic-toggle" aria-expanded={!collapsed} onClick={() => setCollapsed((c) => !c)}>
          <span aria-hidden="true">{collapsed ? '▸' : '▾'}</span> {topic.name}
        </button>
        {isAdmin && <MenuButton label={`Topic options for ${topic.name}`} onOpen={menu.openBelow} />}
        {menu.at && <Menu at={menu.at} items={topicItems} label={`Topic ${topic.name}`} onClose={menu.close} />}
      </div>
      {!collapsed && (
        <ul className="room-list">
          {topic.rooms.map((r) => (
            <RoomLink key={r.id} room={r} groupId={groupId} items={roomItems(r)} />
          ))}
        </ul>
      )}
    </section>
  );
}

function RoomLink({ room, groupId, items }: { room: RoomSummary; groupId: number; items: MenuItem[] }) {
  const menu = useContextMenu();
  const count = useUnreadStore((s) => s.rooms[room.id]?.count ?? room.unread_count ?? 0);
  return (
    <li className="room-entry" onContextMenu={menu.openAt}>
      <NavLink
        to={`/g/${groupId}/r/${room.id}`}
        className={({ isActive }) => (isActive ? 'room-item active' : count > 0 ? 'room-item unread' : 'room-item')}
        data-testid="room-item"
        data-room-id={room.id}
        aria-label={count > 0 ? `${room.name}, ${count} unread` : room.name}
        title={room.description ? `#${room.name} — ${room.description}` : undefined}
      >
        <span className="room-hash" aria-hidden="true">
          #
        </span>
        <span className="room-name">{room.name}</span>
        <RoomMentionBadge roomId={room.id} />
        {count > 0 && (
          <span className="badge" data-testid="room-unread" aria-hidden="true">
            {count > 99 ? '99+' : count}
          </span>
        )}
      </NavLink>
      <MenuButton label={`Room options for ${room.name}`} onOpen={menu.openBelow} />
      {menu.at && <Menu at={menu.at} items={items} label={`Room ${room.name}`} onClose={menu.close} />}
    </li>
  );
}
