// Picture + "Change" button: choose a file, crop it, upload it.

import { lazy, Suspense, useRef, useState } from 'react';
import { errorMessage, uploadImage, type CropRect } from '@/shared/api/client';
import { fileImageType, NOT_AN_IMAGE } from '@/shared/ui/imageType';

const CropDialog = lazy(() => import('./CropDialog'));

const MAX_BYTES = 8 * 1024 * 1024;

interface Props {
  kind: 'icon' | 'wallpaper';
  label: string;
  url: string | null;
  endpoint: string;
  onUploaded: (url: string) => void;
}

export function ImageUpload({ kind, label, url, endpoint, onUploaded }: Props) {
  const input = useRef<HTMLInputElement>(null);
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const isIcon = kind === 'icon';

  const save = async (crop: CropRect) => {
    if (!file) return;
    setBusy(true);
    setError('');
    try {
      const res = await uploadImage<Record<string, string>>(endpoint, file, crop);
      const next = res[`${kind}_url`];
      if (next) onUploaded(next);
      setFile(null);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className={`image-upload ${kind}`}>
      <span className="field-label">{label}</span>
      <div className="image-upload-row">
        {url ? (
          <img src={url} alt={label} className={isIcon ? 'preview-icon' : 'preview-wallpaper'} data-testid={`${kind}-preview`} />
        ) : (
          <div className={isIcon ? 'preview-icon empty' : 'preview-wallpaper empty'} data-testid={`${kind}-preview`} />
        )}
        <button type="button" className="button secondary" onClick={() => input.current?.click()} data-testid={`${kind}-change`}>
          Change {kind}
        </button>
        <input
          ref={input}
          type="file"
          accept="image/png,image/jpeg,image/gif,image/webp"
          className="sr-only"
          aria-label={`Upload ${kind}`}
          data-testid={`${kind}-upload-input`}
          onChange={(e) => {
            const f = e.target.files?.[0];
            e.target.value = '';
            if (!f) return;
            if (f.size > MAX_BYTES) {
              setError('The image is larger than 8 MiB.');
              return;
            }
            // Judged by its content, as the server does: a text file named
            // .png gets a sentence, not an empty crop dialog.
            void fileImageType(f).then((type) => {
              if (!type) {
                setError(NOT_AN_IMAGE);
                return;
              }
              setError('');
              setFile(f);
            });
          }}
        />
      </div>
      {error && !file && (
        <p className="form-error" role="alert" data-testid={`${kind}-upload-error`}>
          {error}
        </p>
      )}
      {file && (
        <Suspense fallback={null}>
          <CropDialog
            file={file}
            aspect={isIcon ? 1 : 3}
            round={isIcon}
            title={`Crop ${kind}`}
            busy={busy}
            error={error}
            onCancel={() => {
              setFile(null);
              setError('');
            }}
            onSave={save}
          />
        </Suspense>
      )}
    </div>
  );
}
