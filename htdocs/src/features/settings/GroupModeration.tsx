// Moderation in the group settings (issue 13 item 7): ban and time out a
// member, the bans with "lift", slow mode per room, and the audit log.

import { useState } from 'react';
import { useInfiniteQuery, useQuery, useQueryClient } from '@tanstack/react-query';
import { errorMessage } from '@/shared/api/client';
import type { GroupDetail, Member } from '@/shared/api/types';
import { membersKey } from '@/shared/api/members';
import { groupKey } from '@/shared/api/groups';
import { auditKey, banUser, bansKey, describeAudit, liftBan, liftTimeout, listAudit, listBans, setSlowMode, timeOut } from '@/shared/api/moderation';
import { ConfirmDialog } from '@/shared/ui/Dialog';
import { FormStatus } from '@/shared/ui/FormStatus';
import { formatDateTime } from '@/shared/ui/format';

const TIMEOUT_SECONDS = 10 * 60;
const SLOW_MODE_CHOICES = [0, 5, 10, 30, 60, 300, 900, 3600];

/** "Time out" / "Lift timeout" and "Ban" for one member row. */
export function MemberModeration({ group, member, onError }: { group: GroupDetail; member: Member; onError: (e: string) => void }) {
  const qc = useQueryClient();
  const [banning, setBanning] = useState(false);
  const timedOut = !!member.timed_out_until && Date.parse(member.timed_out_until) > Date.now();
  const refresh = () =>
    Promise.all([membersKey(group.id), bansKey(group.id), auditKey(group.id)].map((queryKey) => qc.invalidateQueries({ queryKey })));
  const run = async (f: () => Promise<unknown>) => {
    onError('');
    try {
      await f();
      await refresh();
    } catch (e) {
      onError(errorMessage(e));
    }
  };
  return (
    <>
      {timedOut ? (
        <button type="button" className="link-button" onClick={() => run(() => liftTimeout(group.id, member.user.id))} aria-label={`Lift the timeout of ${member.user.username}`}>
          Lift timeout
        </button>
      ) : (
        <button type="button" className="link-button" onClick={() => run(() => timeOut(group.id, member.user.id, TIMEOUT_SECONDS))} aria-label={`Time out ${member.user.username}`}>
          Time out 10 min
        </button>
      )}
      <button type="button" className="link-button danger" onClick={() => setBanning(true)} aria-label={`Ban ${member.user.username}`}>
        Ban
      </button>
      {banning && (
        <ConfirmDialog
          title="Ban member"
          message={`Remove ${member.user.username} and keep them from joining again?`}
          confirmLabel="Ban"
          onConfirm={async () => {
            await run(() => banUser(group.id, member.user.id));
            setBanning(false);
          }}
          onClose={() => setBanning(false)}
        />
      )}
    </>
  );
}

export function GroupBans({ group }: { group: GroupDetail }) {
  const qc = useQueryClient();
  const { data } = useQuery({ queryKey: bansKey(group.id), queryFn: () => listBans(group.id) });
  const [error, setError] = useState('');
  const lift = async (userId: number) => {
    setError('');
    try {
      await liftBan(group.id, userId);
      await qc.invalidateQueries({ queryKey: bansKey(group.id) });
    } catch (e) {
      setError(errorMessage(e));
    }
  };
  return (
    <section className="card" aria-labelledby="gb-title">
      <h2 id="gb-title">Bans</h2>
      <FormStatus error={error} />
      {data && data.items.length === 0 && <p className="muted">Nobody is banned.</p>}
      <ul className="member-admin">
        {data?.items.map((b) => (
          <li key={b.user.id} data-testid="ban-row" data-user-id={b.user.id}>
            <span className="member-name">
              @{b.user.username} <span className="muted">since {formatDateTime(b.created_at)}{b.reason ? ` — ${b.reason}` : ''}</span>
            </span>
            <button type="button" className="link-button" onClick={() => lift(b.user.id)} aria-label={`Lift the ban of ${b.user.username}`}>
              Lift ban
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

export function GroupSlowMode({ group }: { group: GroupDetail }) {
  const qc = useQueryClient();
  const [error, setError] = useState('');
  const [values, setValues] = useState<Record<number, number>>({});
  const change = async (roomId: number, seconds: number) => {
    setError('');
    try {
      await setSlowMode(roomId, seconds);
      setValues((v) => ({ ...v, [roomId]: seconds }));
      await qc.invalidateQueries({ queryKey: groupKey(group.id) });
    } catch (e) {
      setError(errorMessage(e));
    }
  };
  return (
    <section className="card" aria-labelledby="gs-title">
      <h2 id="gs-title">Slow mode</h2>
      <p className="muted">Seconds a member waits between two messages in a room. Moderators and up are exempt.</p>
      <FormStatus error={error} />
      <ul className="member-admin">
        {group.topics.flatMap((t) =>
          t.rooms.map((r) => {
            const current = values[r.id] ?? (r as { slow_mode_seconds?: number }).slow_mode_seconds ?? 0;
            return (
              <li key={r.id}>
                <span className="member-name">
                  {t.name} / #{r.name}
                </span>
                <select value={current} aria-label={`Slow mode of #${r.name}`} data-testid="slow-mode" onChange={(e) => change(r.id, Number(e.target.value))}>
                  {(SLOW_MODE_CHOICES.includes(current) ? SLOW_MODE_CHOICES : [current, ...SLOW_MODE_CHOICES]).map((s) => (
                    <option key={s} value={s}>
                      {s === 0 ? 'Off' : `${s} s`}
                    </option>
                  ))}
                </select>
              </li>
            );
          }),
        )}
      </ul>
    </section>
  );
}

export function GroupAuditLog({ group }: { group: GroupDetail }) {
  const q = useInfiniteQuery({
    queryKey: auditKey(group.id),
    initialPageParam: 0,
    queryFn: ({ pageParam }) => listAudit(group.id, pageParam),
    getNextPageParam: (last, pages) => (last.has_more ? pages.reduce((n, p) => n + p.items.length, 0) : undefined),
  });
  const items = q.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <section className="card" aria-labelledby="ga-title">
      <h2 id="ga-title">Audit log</h2>
      {q.error && <FormStatus error={errorMessage(q.error)} />}
      {q.data && items.length === 0 && <p className="muted">Nothing yet.</p>}
      <ul className="audit-log" data-testid="audit-log">
        {items.map((e) => (
          <li key={e.id} data-testid="audit-entry" data-action={e.action}>
            <span className="muted">{formatDateTime(e.created_at)}</span> {describeAudit(e)}
          </li>
        ))}
      </ul>
      {q.hasNextPage && (
        <button type="button" className="link-button" onClick={() => void q.fetchNextPage()} disabled={q.isFetchingNextPage}>
          Show older
        </button>
      )}
    </section>
  );
}
