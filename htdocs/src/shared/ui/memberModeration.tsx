// The moderation of one member (Time out…, Lift timeout, Ban) offered to
// moderators and up on lower roles: one hook, so that the member list's
// menu and the profile card offer the same actions through the same
// dialogs. The server checks the roles again.

import { useState, type ReactNode } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import type { Id, Member, Role } from '@/shared/api/types';
import { roleAtLeast, roleRank } from '@/shared/api/groups';
import { membersKey, updateCachedMember } from '@/shared/api/members';
import { auditKey, banUser, bansKey, liftTimeout, timeOut } from '@/shared/api/moderation';
import { errorMessage } from '@/shared/api/client';
import { ConfirmDialog } from '@/shared/ui/Dialog';
import type { MenuItem } from '@/shared/ui/Menu';
import { TimeoutDialog } from '@/shared/ui/TimeoutDialog';

export interface MemberModeration {
  /** What the caller may do to the member (empty if nothing); each
   * item's testId is `<prefix>-timeout`, `-lift-timeout` or `-ban`. */
  items: MenuItem[];
  /** The open dialog, if any: render it next to the items. */
  dialogs: ReactNode;
  /** The last failure, in words ('' when none). */
  error: string;
}

/** True when a caller with `myRole` may time out or ban a member with `target`. */
export function mayModerate(myRole: Role | undefined, target: Role): boolean {
  return myRole !== undefined && roleAtLeast(myRole, 'moderator') && roleRank(target) < roleRank(myRole);
}

/**
 * The moderation actions a caller with `myRole` has on `member` of group
 * `groupId` (none for oneself, an unknown member or an equal or higher
 * role). After each action the members, bans and audit log are fetched
 * again.
 */
export function useMemberModeration(groupId: Id | null, myRole: Role | undefined, member: Member | undefined, selfId: Id, testIdPrefix: string): MemberModeration {
  const qc = useQueryClient();
  const [dialog, setDialog] = useState<'timeout' | 'ban' | null>(null);
  const [error, setError] = useState('');
  // Bumped after each action: a caller reading the member from the cache
  // (the profile card) renders again with what it changed.
  const [, setDone] = useState(0);

  if (groupId === null || !member || member.user.id === selfId || !mayModerate(myRole, member.role)) return { items: [], dialogs: null, error };
  const userId = member.user.id;
  const name = member.user.username;

  // The cached member takes the outcome at once (a refetch under load may
  // come later than the next click), then the lists are fetched again.
  const moderate = async (f: () => Promise<unknown>, timedOutUntil?: (res: unknown) => string | null) => {
    setError('');
    const res = await f();
    if (timedOutUntil) updateCachedMember(qc, groupId, userId, (m) => ({ ...m, timed_out_until: timedOutUntil(res) }));
    setDone((n) => n + 1);
    await Promise.all([membersKey(groupId), bansKey(groupId), auditKey(groupId)].map((queryKey) => qc.invalidateQueries({ queryKey })));
    setDone((n) => n + 1);
  };
  const report = (e: unknown) => setError(errorMessage(e));

  const timedOut = member.timed_out_until !== null && member.timed_out_until !== undefined && Date.parse(member.timed_out_until) > Date.now();
  const items: MenuItem[] = [
    timedOut
      ? { label: 'Lift timeout', testId: `${testIdPrefix}-lift-timeout`, onSelect: () => void moderate(() => liftTimeout(groupId, userId), () => null).catch(report) }
      : { label: 'Time out…', testId: `${testIdPrefix}-timeout`, onSelect: () => setDialog('timeout') },
    { label: 'Ban', danger: true, testId: `${testIdPrefix}-ban`, onSelect: () => setDialog('ban') },
  ];
  const ban = async () => {
    try {
      await moderate(() => banUser(groupId, userId));
    } catch (e) {
      report(e);
    }
    setDialog(null);
  };
  const close = () => setDialog(null);
  const dialogs =
    dialog === 'timeout' ? (
      <TimeoutDialog name={name} onConfirm={(seconds) => moderate(() => timeOut(groupId, userId, seconds), (res) => (res as Member).timed_out_until ?? null)} onClose={close} />
    ) : dialog === 'ban' ? (
      <ConfirmDialog title="Ban member" message={`Remove ${name} and keep them from joining again?`} confirmLabel="Ban" onConfirm={() => void ban()} onClose={close} />
    ) : null;
  return { items, dialogs, error };
}
