// Dialog to create a group.

import { useState, type FormEvent } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { Dialog } from '@/shared/ui/Dialog';
import { CATEGORIES, type Category, type Id } from '@/shared/api/types';
import { errorMessage } from '@/shared/api/client';
import { createGroup, groupKey, groupsKey } from '@/shared/api/groups';
import { FormStatus } from '@/shared/ui/FormStatus';

export function CreateGroupDialog({ onClose, onCreated }: { onClose: () => void; onCreated: (id: Id) => void }) {
  const qc = useQueryClient();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [category, setCategory] = useState<Category>('Undefined');
  const [isPublic, setIsPublic] = useState(true);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      const g = await createGroup({ name: name.trim(), description: description.trim(), category, is_public: isPublic });
      qc.setQueryData(groupKey(g.id), g);
      await qc.invalidateQueries({ queryKey: groupsKey });
      onCreated(g.id);
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  };

  return (
    <Dialog title="Create a group" onClose={onClose} testId="create-group-dialog">
      <form className="form" onSubmit={submit}>
        <label className="field">
          <span>Group name</span>
          <input value={name} onChange={(e) => setName(e.target.value)} maxLength={35} required autoFocus data-testid="create-group-name" />
        </label>
        <label className="field">
          <span>Description</span>
          <textarea value={description} onChange={(e) => setDescription(e.target.value)} maxLength={140} rows={2} />
        </label>
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
          <span>Public (listed in the directory)</span>
        </label>
        <FormStatus error={error} />
        <div className="dialog-actions">
          <button type="button" className="button secondary" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button" disabled={busy || !name.trim()} data-testid="create-group-submit">
            Create
          </button>
        </div>
      </form>
    </Dialog>
  );
}
