// /settings — my profile (name, bio, gender, status, icon, wallpaper) and
// password. Lazy-loaded.

import { useState, type FormEvent } from 'react';
import { Link } from 'react-router-dom';
import { useQueryClient } from '@tanstack/react-query';
import { api, errorMessage, isApiError } from '@/shared/api/client';
import { GENDERS, USER_STATUSES, type Gender, type User, type UserStatus } from '@/shared/api/types';
import { realtime } from '@/shared/ws/socket';
import { meKey, useSelf } from '@/shared/api/auth';
import { ImageUpload } from './ImageUpload';
import { FormStatus } from '@/shared/ui/FormStatus';

export default function SettingsPage() {
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
      <PasswordForm />
    </main>
  );
}

function ProfileForm({ me }: { me: User }) {
  const qc = useQueryClient();
  const [fullName, setFullName] = useState(me.profile.full_name ?? '');
  const [bio, setBio] = useState(me.profile.bio ?? '');
  const [gender, setGender] = useState<Gender>(me.profile.gender ?? 'Undefined');
  const [status, setStatus] = useState<UserStatus>(me.profile.default_status ?? 'Online');
  const [email, setEmail] = useState(me.email ?? '');
  const [msg, setMsg] = useState('');
  const [error, setError] = useState('');
  const [fields, setFields] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);

  const patchMe = (fn: (u: User) => User) => qc.setQueryData<User | null>(meKey, (u) => (u ? fn(u) : u));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setMsg('');
    setError('');
    setFields({});
    try {
      const body: Record<string, string> = { full_name: fullName.trim(), bio: bio.trim(), gender, default_status: status };
      if (email.trim() && email.trim() !== (me.email ?? '')) body.email = email.trim();
      const updated = await api.patch<User>('/users/me', body);
      qc.setQueryData(meKey, updated);
      realtime.send({ type: 'status', status });
      setMsg('Profile saved.');
    } catch (err) {
      if (isApiError(err)) setFields(err.fields);
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card" aria-labelledby="profile-title">
      <h2 id="profile-title">Profile</h2>
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
      <form className="form" onSubmit={submit} data-testid="profile-form">
        <p className="muted">
          Username: <strong>{me.username}</strong>
        </p>
        <label className="field">
          <span>Full name</span>
          <input value={fullName} maxLength={45} onChange={(e) => setFullName(e.target.value)} data-testid="profile-full-name" />
          {fields.full_name && <small className="field-error">{fields.full_name}</small>}
        </label>
        <label className="field">
          <span>Email</span>
          <input type="email" value={email} onChange={(e) => setEmail(e.target.value)} />
          {fields.email && <small className="field-error">{fields.email}</small>}
        </label>
        <label className="field">
          <span>Bio</span>
          <textarea value={bio} maxLength={500} rows={3} onChange={(e) => setBio(e.target.value)} data-testid="profile-bio" />
        </label>
        <div className="form-row">
          <label className="field">
            <span>Gender</span>
            <select value={gender} onChange={(e) => setGender(e.target.value as Gender)} data-testid="profile-gender">
              {GENDERS.map((g) => (
                <option key={g}>{g}</option>
              ))}
            </select>
          </label>
          <label className="field">
            <span>Status</span>
            <select value={status} onChange={(e) => setStatus(e.target.value as UserStatus)} data-testid="profile-status">
              {USER_STATUSES.map((s) => (
                <option key={s}>{s}</option>
              ))}
            </select>
          </label>
        </div>
        <FormStatus error={error} ok={msg} />
        <button type="submit" className="button" disabled={busy} data-testid="profile-save">
          Save profile
        </button>
      </form>
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
