// /invite/:code — the invite preview and the join button. Works signed out
// (then it sends you to log in and back).

import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Avatar } from '@/shared/ui/Avatar';
import { errorMessage, isApiError } from '@/shared/api/client';
import { useMe } from '@/shared/api/auth';
import { groupKey, groupsKey } from '@/shared/api/groups';
import { acceptInvite, previewInvite } from '@/shared/api/invites';
import { FormStatus } from '@/shared/ui/FormStatus';

export function InvitePage() {
  const { code = '' } = useParams();
  const { data: me } = useMe();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const preview = useQuery({ queryKey: ['invite', code], queryFn: () => previewInvite(code), retry: false });

  const join = async () => {
    setBusy(true);
    setError('');
    try {
      const g = await acceptInvite(code);
      qc.setQueryData(groupKey(g.id), g);
      await qc.invalidateQueries({ queryKey: groupsKey });
      navigate(`/g/${g.id}`, { replace: true });
    } catch (e) {
      setError(errorMessage(e));
      setBusy(false);
    }
  };

  let body;
  if (preview.isLoading) body = <p aria-busy="true">Loading invite…</p>;
  else if (preview.error)
    body = (
      <p className="form-error" role="alert" data-testid="invite-invalid">
        {isApiError(preview.error, 410) ? 'This invite has expired or was used up.' : 'This invite is invalid or was revoked.'}
      </p>
    );
  else if (preview.data) {
    const g = preview.data.group;
    body = (
      <>
        <Avatar url={g.icon_url} name={g.name} size={80} square />
        <p className="muted">You have been invited to join</p>
        <h1 data-testid="invite-group-name">{g.name}</h1>
        <p className="muted">
          {g.member_count} member{g.member_count === 1 ? '' : 's'}
        </p>
        {me ? (
          <button type="button" className="button block" onClick={join} disabled={busy} data-testid="invite-accept">
            Join group
          </button>
        ) : (
          <Link className="button block" to={`/login?next=${encodeURIComponent(`/invite/${code}`)}`} data-testid="invite-login">
            Log in to join
          </Link>
        )}
      </>
    );
  }

  return (
    <main className="auth-page">
      <div className="auth-card invite-card" data-testid="invite-preview">
        {body}
        <FormStatus error={error} />
        {me && (
          <Link to="/" className="muted">
            Back to Easy Chat
          </Link>
        )}
      </div>
    </main>
  );
}
