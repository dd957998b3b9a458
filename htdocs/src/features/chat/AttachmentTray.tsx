// The composer's uploads before sending: name, size, progress, a preview
// for images, and a button to take each one out.

import type { Upload } from './attachments';
import { formatBytes } from './attachments';
import './attachments.css';

interface Props {
  uploads: Upload[];
  onRemove: (key: number) => void;
}

export function AttachmentTray({ uploads, onRemove }: Props) {
  if (uploads.length === 0) return null;
  return (
    <ul className="attach-tray" data-testid="attach-tray" aria-label="Files to send">
      {uploads.map((u) => (
        <li key={u.key} className={`attach-chip attach-${u.status}`} data-testid="attach-chip" data-status={u.status}>
          {u.preview ? <img className="attach-chip-preview" src={u.preview} alt="" /> : <span className="attach-chip-icon" aria-hidden="true">📄</span>}
          <span className="attach-chip-text">
            <span className="attach-chip-name" title={u.name}>
              {u.name}
            </span>
            <small className="muted">{u.status === 'failed' ? u.error : formatBytes(u.size)}</small>
            {u.status === 'uploading' && (
              <progress className="attach-progress" max={1} value={u.progress} aria-label={`Uploading ${u.name}`} />
            )}
          </span>
          <button type="button" className="icon-button" aria-label={`Remove ${u.name}`} data-testid="attach-remove" onClick={() => onRemove(u.key)}>
            ✕
          </button>
        </li>
      ))}
    </ul>
  );
}
