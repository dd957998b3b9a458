// /g/:groupId/settings — for admins: profile, images, invites, members and
// roles; the owner can also delete the group. Lazy-loaded.

import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { errorMessage } from '@/shared/api/client';
import { CATEGORIES, type Category, type GroupDetail, type Member, type Role } from '@/shared/api/types';
import { ConfirmDialog } from '@/shared/ui/Dialog';
import { formatDateTime } from '@/shared/ui/format';
import { Avatar } from '@/shared/ui/Avatar';
import { useSelf } from '@/shared/api/auth';
import { assignableRoles, deleteGroup, groupKey, groupsKey, roleAtLeast, roleRank, updateGroup, useGroup } from '@/shared/api/groups';
import { kickMember, membersKey, setMemberRole, useMembers } from '@/shared/api/members';
import { inviteLink, invitesKey, listInvites, revokeInvite } from '@/shared/api/invites';
import { InviteDialog, copyText } from '@/shared/ui/InviteDialog';
import { ImageUpload } from './ImageUpload';
import { FormStatus } from '@/shared/ui/FormStatus';
import { GroupAuditLog, GroupBans, GroupSlowMode, MemberModeration } from './GroupModeration';

export default function GroupSettingsPage() {
  const groupId = Number(useParams().groupId);
  const { data: group, isLoading } = useGroup(groupId);
  if (isLoading) return <div className="pane-loading">Loading…</div>;
  if (!group) return <div className="pane-empty">Group not found.</div>;
  if (!roleAtLeast(group.my_role, 'admin')) return <div className="pane-empty">Only admins can change this group.</div>;
  return (
    <main className="page settings" aria-label={`${group.name} settings`}>
      <header className="page-header">
        <h1>{group.name} — settings</h1>
        <Link to={`/g/${group.id}`} className="muted">
          Back to the group
        </Link>
      </header>
      <GroupProfile group={group} />
      <GroupInvites group={group} />
      <GroupMembers group={group} />
      <GroupBans group={group} />
      <GroupSlowMode group={group} />
      <GroupAuditLog group={group} />
      {group.my_role === 'owner' && <DangerZone group={group} />}
    </main>
  );
}

function GroupProfile({ group }: { group: GroupDetail }) {
  const qc = useQueryClient();
  const [name, setName] = useState(group.name);
  const [description, setDescription] = useState(group.description ?? '');
  const [category, setCategory] = useState<Category>(group.category ?? 'Undefined');
  const [isPublic, setIsPublic] = useState(group.is_public);
  const [everyone, setEveryone] = useState(group.everyone_mentions ?? false);
  const [msg, setMsg] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const refresh = () => Promise.all([qc.invalidateQueries({ queryKey: groupKey(group.id) }), qc.invalidateQueries({ queryKey: groupsKey })]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setMsg('');
    setError('');
    try {
      await updateGroup(group.id, { name: name.trim(), description: description.trim(), category, is_public: isPublic, everyone_mentions: everyone });
      await refresh();
      setMsg('Saved.');
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card" aria-labelledby="gp-title">
      <h2 id="gp-title">Profile</h2>
      <div className="image-uploads">
        <ImageUpload kind="icon" label="Group icon" url={group.icon_url} endpoint={`/groups/${group.id}/icon`} onUploaded={() => void refresh()} />
        <ImageUpload kind="wallpaper" label="Group wallpaper" url={group.wallpaper_url} endpoint={`/groups/${group.id}/wallpaper`} onUploaded={() => void refresh()} />
      </div>
      <form className="form" onSubmit={submit} data-testid="group-profile-form">
        <label className="field">
          <span>Group name</span>
          <input value={name} maxLength={35} onChange={(e) => setName(e.target.value)} required />
        </label>
        <label className="field">
          <span>Description</span>
          <textarea value={description} maxLength={140} rows={2} onChange={(e) => setDescription(e.target.value)} />
        </label>
        <div className="form-row">
          <label className="field">
            <span>Category</span>
            <select value={category} onChange={(e) => setCategory(e.target.value as Category)}>
              {CATEGORIES.map((c) => (
                <option key={c}>{c}</option>
              ))}
            </select>
          </label>
          <label className="checkbox">
            <input type="checkbox" checked={isPublic} onChange={(e) => setIsPublic(e.target.checked)} />
            <span>Public</span>
          </label>
          <label className="checkbox">
            <input type="checkbox" checked={everyone} onChange={(e) => setEveryone(e.target.checked)} data-testid="group-everyone-mentions" />
            <span>Every member may use @here and @everyone</span>
          </label>
        </div>
        <FormStatus error={error} ok={msg} />
        <button type="submit" className="button" disabled={busy}>
          Save group
        </button>
      </form>
    </section>
  );
}

function GroupInvites({ group }: { group: GroupDetail }) {
  const qc = useQueryClient();
  const [creating, setCreating] = useState(false);
  const [error, setError] = useState('');
  const [copied, setCopied] = useState('');
  const { data } = useQuery({ queryKey: invitesKey(group.id), queryFn: () => listInvites(group.id) });

  const revoke = async (code: string) => {
    setError('');
    try {
      await revokeInvite(code);
      await qc.invalidateQueries({ queryKey: invitesKey(group.id) });
    } catch (e) {
      setError(errorMessage(e));
    }
  };

  return (
    <section className="card" aria-labelledby="gi-title">
      <h2 id="gi-title">Invites</h2>
      <button type="button" className="button" onClick={() => setCreating(true)} data-testid="settings-invite-open">
        Create invite
      </button>
      <FormStatus error={error} />
      <table className="table">
        <thead>
          <tr>
            <th scope="col">Link</th>
            <th scope="col">Uses</th>
            <th scope="col">Expires</th>
            <th scope="col">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {data?.map((inv) => (
            <tr key={inv.code} data-testid="invite-row">
              <td>
                <code>{inviteLink(inv.code)}</code>
              </td>
              <td>
                {inv.uses ?? 0}
                {inv.max_uses ? ` / ${inv.max_uses}` : ''}
              </td>
              <td>{inv.expires_at ? formatDateTime(inv.expires_at) : 'Never'}</td>
              <td className="actions">
                <button type="button" className="link-button" onClick={async () => (await copyText(inviteLink(inv.code))) && setCopied(inv.code)}>
                  {copied === inv.code ? 'Copied!' : 'Copy'}
                </button>
                <button type="button" className="link-button danger" onClick={() => revoke(inv.code)} aria-label={`Revoke invite ${inv.code}`}>
                  Revoke
                </button>
              </td>
            </tr>
          ))}
          {data && data.length === 0 && (
            <tr>
              <td colSpan={4} className="muted">
                No live invites.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      {creating && <InviteDialog groupId={group.id} onClose={() => setCreating(false)} />}
    </section>
  );
}

/** Roles the caller may give to `target` (API reference, PATCH /api/groups/{id}/members/{user_id}: admins set member/moderator below them; the owner sets any). */
function GroupMembers({ group }: { group: GroupDetail }) {
  const me = useSelf();
  const qc = useQueryClient();
  const { data, hasMore, loadMore, loadingMore } = useMembers(group.id);
  const [error, setError] = useState('');
  const [kicking, setKicking] = useState<Member | null>(null);
  const refresh = () => qc.invalidateQueries({ queryKey: membersKey(group.id) });

  const changeRole = async (m: Member, role: Role) => {
    setError('');
    try {
      await setMemberRole(group.id, m.user.id, role);
      await refresh();
      if (role === 'owner') await qc.invalidateQueries({ queryKey: groupKey(group.id) });
    } catch (e) {
      setError(errorMessage(e));
    }
  };

  const kick = async () => {
    if (!kicking) return;
    try {
      await kickMember(group.id, kicking.user.id);
      await refresh();
    } catch (e) {
      setError(errorMessage(e));
    }
    setKicking(null);
  };

  return (
    <section className="card" aria-labelledby="gm-title">
      <h2 id="gm-title">Members and roles</h2>
      <FormStatus error={error} />
      <ul className="member-admin">
        {data?.map((m) => {
          const self = m.user.id === me.id;
          const roles = self ? [] : assignableRoles(group.my_role, m.role);
          const canKick = !self && roleRank(m.role) < roleRank(group.my_role);
          return (
            <li key={m.user.id} data-testid="member-admin-row" data-user-id={m.user.id}>
              <Avatar url={m.user.profile.icon_url} name={m.user.profile.full_name || m.user.username} size={32} />
              <span className="member-name">
                {m.user.profile.full_name || m.user.username} <span className="muted">@{m.user.username}</span>
              </span>
              {roles.length ? (
                <select value={m.role} aria-label={`Role of ${m.user.username}`} onChange={(e) => changeRole(m, e.target.value as Role)}>
                  {(roles.includes(m.role) ? roles : [m.role, ...roles]).map((r) => (
                    <option key={r} value={r}>
                      {r}
                    </option>
                  ))}
                </select>
              ) : (
                <span className="role-tag">{m.role}</span>
              )}
              {canKick && (
                <button type="button" className="link-button danger" onClick={() => setKicking(m)} aria-label={`Kick ${m.user.username}`}>
                  Kick
                </button>
              )}
              {canKick && <MemberModeration group={group} member={m} onError={setError} />}
            </li>
          );
        })}
      </ul>
      {hasMore && (
        <button type="button" className="link-button" onClick={loadMore} disabled={loadingMore} data-testid="members-admin-more">
          Show more members
        </button>
      )}
      {kicking && (
        <ConfirmDialog title="Kick member" message={`Remove ${kicking.user.username} from the group?`} confirmLabel="Kick" onConfirm={kick} onClose={() => setKicking(null)} />
      )}
    </section>
  );
}

function DangerZone({ group }: { group: GroupDetail }) {
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState('');
  const remove = async () => {
    try {
      await deleteGroup(group.id);
      qc.removeQueries({ queryKey: groupKey(group.id) });
      await qc.invalidateQueries({ queryKey: groupsKey });
      navigate('/directory', { replace: true });
    } catch (e) {
      setError(errorMessage(e));
      setConfirming(false);
    }
  };
  return (
    <section className="card danger-zone" aria-labelledby="gd-title">
      <h2 id="gd-title">Delete group</h2>
      <p className="muted">Deletes the group, its rooms and messages for everyone.</p>
      <FormStatus error={error} />
      <button type="button" className="button danger" onClick={() => setConfirming(true)} data-testid="group-delete">
        Delete group
      </button>
      {confirming && <ConfirmDialog title="Delete group" message={`Delete ${group.name} for everyone?`} confirmLabel="Delete" onConfirm={remove} onClose={() => setConfirming(false)} />}
    </section>
  );
}
