// The profile card dialog, opened through shared/stores/profileCardStore
// from the member list or a message author; "Message" opens (or finds)
// the direct conversation with the user. Moderators and up also find there
// what the member list's menu offers them on a lower role (Time out…, Lift
// timeout, Ban), through the same hook and dialogs.

import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api, errorMessage } from '@/shared/api/client';
import { cachedMember } from '@/shared/api/members';
import { groupKey } from '@/shared/api/groups';
import type { GroupDetail, Id, User } from '@/shared/api/types';
import { Dialog } from '@/shared/ui/Dialog';
import { ProfileCardView } from '@/shared/ui/ProfileCardView';
import { useProfileCardStore } from '@/shared/stores/profileCardStore';
import { useSelf } from '@/shared/api/auth';
import { useMessageUser } from '@/shared/ui/UserDmActions';
import { useMemberModeration } from '@/shared/ui/memberModeration';

export function ProfileCardHost() {
  const userId = useProfileCardStore((s) => s.userId);
  const groupId = useProfileCardStore((s) => s.groupId);
  const close = useProfileCardStore((s) => s.close);
  if (userId === null) return null;
  return <ProfileCardDialog key={userId} userId={userId} groupId={groupId} onClose={close} />;
}

function ProfileCardDialog({ userId, groupId, onClose }: { userId: Id; groupId: Id | null; onClose: () => void }) {
  const qc = useQueryClient();
  const { data, error, isLoading } = useQuery({
    queryKey: ['user', userId],
    queryFn: () => api.get<User & { online: boolean }>(`/users/${userId}`),
    staleTime: 30_000,
  });
  const member = groupId !== null ? cachedMember(qc, groupId, userId) : undefined;
  const me = useSelf();
  const message = useMessageUser();
  const myRole = groupId !== null ? qc.getQueryData<GroupDetail>(groupKey(groupId))?.my_role : undefined;
  const mod = useMemberModeration(groupId, myRole, member, me.id, 'profile-card');
  return (
    <Dialog title={data ? `Profile of ${data.profile.full_name || data.username}` : 'Profile'} onClose={onClose} testId="profile-card-dialog">
      {isLoading && <p className="muted">Loading…</p>}
      {error && (
        <p className="form-error" role="alert">
          {errorMessage(error)}
        </p>
      )}
      {data && (
        <ProfileCardView
          user={data}
          role={member?.role ?? null}
          joinedAt={member?.joined_at ?? null}
          actions={
            data.id !== me.id ? (
              <>
                <button
                  type="button"
                  className="button"
                  data-testid="profile-card-message"
                  onClick={() => {
                    onClose();
                    void message(data.id);
                  }}
                >
                  Message
                </button>
                {mod.items.map((it) => (
                  <button key={it.testId} type="button" className={it.danger ? 'button danger' : 'button secondary'} data-testid={it.testId} onClick={it.onSelect}>
                    {it.label}
                  </button>
                ))}
              </>
            ) : undefined
          }
        />
      )}
      {mod.error && (
        <p className="form-error" role="alert">
          {mod.error}
        </p>
      )}
      {mod.dialogs}
    </Dialog>
  );
}
