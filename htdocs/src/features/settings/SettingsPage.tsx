// /settings — my profile (username, name, bio, gender, status, icon,
// wallpaper) with a live preview of my card and an unsaved-changes bar, and
// the password. Lazy-loaded.

import { useState, type FormEvent, type ReactNode } from 'react';
import { Link } from 'react-router-dom';
import { useQueryClient } from '@tanstack/react-query';
import { api, errorMessage, isApiError } from '@/shared/api/client';
import { GENDERS, USER_STATUSES, type Gender, type User, type UserStatus } from '@/shared/api/types';
import { realtime } from '@/shared/ws/socket';
import { meKey, useSelf } from '@/shared/api/auth';
import { ImageUpload } from './ImageUpload';
import { PushSettings } from './PushSettings';
import { FormStatus } from '@/shared/ui/FormStatus';
import { ProfileCardView } from '@/shared/ui/ProfileCardView';
import { usernameCheckText, useUsernameCheck } from '@/shared/api/useUsernameCheck';
import './settings.css';

/** `extra`: sections other features add (composed in app/: the
 * notification preferences). */
export default function SettingsPage({ extra }: { extra?: ReactNode }) {
  const me = useSelf();
  return (
    <main className="page settings" aria-label="User settings">
      <header className="page-header">
        <h1>My account</h1>
        <Link to="/" className="muted">
          Back
        </Link>
      </header>
      <ProfileForm me={me} />
      {extra}
      <PasswordForm />
      <PushSettings />
    </main>
  );
}

interface ProfileDraft {
  username: string;
  fullName: string;
  bio: string;
  gender: Gender;
  status: UserStatus;
  email: string;
}

function draftOf(me: User): ProfileDraft {
  return {
    username: me.username,
    fullName: me.profile.full_name ?? '',
    bio: me.profile.bio ?? '',
    gender: me.profile.gender ?? 'Prefer not to say',
    status: me.profile.default_status ?? 'Online',
    email: me.email ?? '',
  };
}

/** The fields of the draft that differ from the saved profile, as the
 * PATCH body (trimmed). */
function changesOf(me: User, d: ProfileDraft): Record<string, string> {
  const saved = draftOf(me);
  const body: Record<string, string> = {};
  if (d.username.trim() !== saved.username) body.username = d.username.trim();
  if (d.fullName.trim() !== saved.fullName) body.full_name = d.fullName.trim();
  if (d.bio.trim() !== saved.bio) body.bio = d.bio.trim();
  if (d.gender !== saved.gender) body.gender = d.gender;
  if (d.status !== saved.status) body.default_status = d.status;
  if (d.email.trim() !== saved.email) body.email = d.email.trim();
  return body;
}

function ProfileForm({ me }: { me: User }) {
  const qc = useQueryClient();
  const [draft, setDraft] = useState<ProfileDraft>(() => draftOf(me));
  const [msg, setMsg] = useState('');
  const [error, setError] = useState('');
  const [fields, setFields] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const check = useUsernameCheck(draft.username, me.username);
  const changes = changesOf(me, draft);
  const dirty = Object.keys(changes).length > 0;
  const set = <K extends keyof ProfileDraft>(key: K, value: ProfileDraft[K]) => {
    setMsg('');
    setDraft((d) => ({ ...d, [key]: value }));
  };

  const patchMe = (fn: (u: User) => User) => qc.setQueryData<User | null>(meKey, (u) => (u ? fn(u) : u));

  const reset = () => {
    setDraft(draftOf(me));
    setFields({});
    setError('');
  };

  const save = async (e?: FormEvent) => {
    e?.preventDefault();
    if (!dirty) return;
    setBusy(true);
    setMsg('');
    setError('');
    setFields({});
    try {
      const updated = await api.patch<User>('/users/me', changes);
      qc.setQueryData(meKey, updated);
      setDraft(draftOf(updated));
      if (changes.default_status) realtime.send({ type: 'status', status: draft.status });
      setMsg('Profile saved.');
    } catch (err) {
      if (isApiError(err, 409)) setFields({ username: 'is taken' });
      else if (isApiError(err)) setFields(err.fields);
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  // What others will see once saved.
  const preview = {
    username: draft.username.trim() || me.username,
    online: true,
    profile: { ...me.profile, full_name: draft.fullName.trim(), bio: draft.bio.trim(), gender: draft.gender, status: draft.status },
  };

  return (
    <section className="card" aria-labelledby="profile-title">
      <h2 id="profile-title">Profile</h2>
      <div className="profile-editor">
        <div className="profile-editor-fields">
          <div className="image-uploads">
            <ImageUpload
              kind="icon"
              label="Icon"
              url={me.profile.icon_url}
              endpoint="/users/me/icon"
              onUploaded={(url) => patchMe((u) => ({ ...u, profile: { ...u.profile, icon_url: url } }))}
            />
            <ImageUpload
              kind="wallpaper"
              label="Wallpaper"
              url={me.profile.wallpaper_url}
              endpoint="/users/me/wallpaper"
              onUploaded={(url) => patchMe((u) => ({ ...u, profile: { ...u.profile, wallpaper_url: url } }))}
            />
          </div>
          <form className="form" onSubmit={save} data-testid="profile-form">
            <label className="field">
              <span>Username</span>
              <input
                value={draft.username}
                maxLength={45}
                autoComplete="username"
                onChange={(e) => set('username', e.target.value)}
                aria-invalid={!!fields.username || check.state === 'taken' || check.state === 'invalid'}
                data-testid="profile-username"
              />
              {fields.username ? (
                <small className="field-error">{fields.username}</small>
              ) : (
                check.state !== 'idle' && (
                  <small className={check.state === 'available' ? 'field-ok' : check.state === 'checking' ? 'muted' : 'field-error'} data-testid="username-check" data-state={check.state}>
                    {usernameCheckText(check)}
                  </small>
                )
              )}
            </label>
            <label className="field">
              <span>Display name</span>
              <input value={draft.fullName} maxLength={45} onChange={(e) => set('fullName', e.target.value)} data-testid="profile-full-name" />
              {fields.full_name && <small className="field-error">{fields.full_name}</small>}
            </label>
            <label className="field">
              <span>Email</span>
              <input type="email" value={draft.email} onChange={(e) => set('email', e.target.value)} />
              {fields.email && <small className="field-error">{fields.email}</small>}
            </label>
            <label className="field">
              <span>Bio</span>
              <textarea value={draft.bio} maxLength={500} rows={3} onChange={(e) => set('bio', e.target.value)} data-testid="profile-bio" />
            </label>
            <div className="form-row">
              <label className="field">
                <span>Gender</span>
                <select value={draft.gender} onChange={(e) => set('gender', e.target.value as Gender)} data-testid="profile-gender">
                  {GENDERS.map((g) => (
                    <option key={g}>{g}</option>
                  ))}
                </select>
              </label>
              <label className="field">
                <span>Status</span>
                <select value={draft.status} onChange={(e) => set('status', e.target.value as UserStatus)} data-testid="profile-status">
                  {USER_STATUSES.map((st) => (
                    <option key={st}>{st}</option>
                  ))}
                </select>
              </label>
            </div>
            <FormStatus error={error} ok={msg} />
          </form>
        </div>
        <div className="profile-editor-preview" aria-label="Preview of your profile card">
          <h3 className="section-title">Preview</h3>
          <ProfileCardView user={preview} testId="profile-preview" />
        </div>
      </div>
      {dirty && (
        <div className="unsaved-bar" role="region" aria-label="Unsaved changes" data-testid="unsaved-bar">
          <span>You have unsaved changes.</span>
          <button type="button" className="link-button" onClick={reset} data-testid="profile-reset">
            Reset
          </button>
          <button type="button" className="button" disabled={busy || check.state === 'taken' || check.state === 'invalid'} onClick={() => void save()} data-testid="profile-save">
            Save
          </button>
        </div>
      )}
    </section>
  );
}

function PasswordForm() {
  const [oldPw, setOldPw] = useState('');
  const [newPw, setNewPw] = useState('');
  const [confirm, setConfirm] = useState('');
  const [msg, setMsg] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setMsg('');
    setError('');
    if (newPw !== confirm) {
      setError('The new passwords do not match.');
      return;
    }
    setBusy(true);
    try {
      await api.put<void>('/users/me/password', { old: oldPw, new: newPw });
      setMsg('Password changed. Other sessions were signed out.');
      setOldPw('');
      setNewPw('');
      setConfirm('');
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card" aria-labelledby="password-title">
      <h2 id="password-title">Password</h2>
      <form className="form" onSubmit={submit} data-testid="password-form">
        <label className="field">
          <span>Current password</span>
          <input type="password" autoComplete="current-password" value={oldPw} onChange={(e) => setOldPw(e.target.value)} required />
        </label>
        <label className="field">
          <span>New password</span>
          <input type="password" autoComplete="new-password" minLength={8} maxLength={128} value={newPw} onChange={(e) => setNewPw(e.target.value)} required />
        </label>
        <label className="field">
          <span>Repeat new password</span>
          <input type="password" autoComplete="new-password" value={confirm} onChange={(e) => setConfirm(e.target.value)} required />
        </label>
        <FormStatus error={error} ok={msg} />
        <button type="submit" className="button" disabled={busy} data-testid="password-save">
          Change password
        </button>
      </form>
    </section>
  );
}
