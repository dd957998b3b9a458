// The crop dialog (react-easy-crop): pick the rectangle of the original
// image to keep; it is sent as pixels of the original.

import { useEffect, useMemo, useState } from 'react';
import Cropper, { type Area } from 'react-easy-crop';
// The cropper's own CSS as a file: its default run-time <style> injection is
// blocked by the server's Content-Security-Policy (style-src 'self').
import 'react-easy-crop/react-easy-crop.css';
import { Dialog } from '@/shared/ui/Dialog';
import type { CropRect } from '@/shared/api/client';
import { FormStatus } from '@/shared/ui/FormStatus';

interface Props {
  file: File;
  aspect: number;
  round?: boolean;
  title: string;
  busy?: boolean;
  error?: string;
  onCancel: () => void;
  onSave: (crop: CropRect) => void;
}

/** Keeps the rectangle inside an image of `w`×`h` with whole pixels. */
export function clampCrop(area: Area, w: number, h: number): CropRect {
  const x = Math.max(0, Math.min(Math.round(area.x), w - 1));
  const y = Math.max(0, Math.min(Math.round(area.y), h - 1));
  const width = Math.max(1, Math.min(Math.round(area.width), w - x));
  const height = Math.max(1, Math.min(Math.round(area.height), h - y));
  return { x, y, width, height };
}

export default function CropDialog({ file, aspect, round, title, busy, error, onCancel, onSave }: Props) {
  const src = useMemo(() => URL.createObjectURL(file), [file]);
  useEffect(() => () => URL.revokeObjectURL(src), [src]);
  const [crop, setCrop] = useState({ x: 0, y: 0 });
  const [zoom, setZoom] = useState(1);
  const [area, setArea] = useState<Area | null>(null);
  const [size, setSize] = useState<{ w: number; h: number } | null>(null);

  return (
    <Dialog title={title} onClose={onCancel} testId="crop-dialog" wide>
      <div className="crop-area">
        <Cropper
          image={src}
          crop={crop}
          zoom={zoom}
          aspect={aspect}
          cropShape={round ? 'round' : 'rect'}
          disableAutomaticStylesInjection
          onCropChange={setCrop}
          onZoomChange={setZoom}
          onCropComplete={(_, pixels) => setArea(pixels)}
          onMediaLoaded={(m) => setSize({ w: m.naturalWidth, h: m.naturalHeight })}
        />
      </div>
      <label className="field">
        <span>Zoom</span>
        <input type="range" min={1} max={4} step={0.05} value={zoom} onChange={(e) => setZoom(Number(e.target.value))} aria-label="Zoom" data-testid="crop-zoom" />
      </label>
      <FormStatus error={error} />
      <div className="dialog-actions">
        <button type="button" className="button secondary" onClick={onCancel}>
          Cancel
        </button>
        <button
          type="button"
          className="button"
          data-testid="crop-save"
          aria-label="Save cropped image"
          disabled={busy || !area || !size}
          onClick={() => area && size && onSave(clampCrop(area, size.w, size.h))}
        >
          {busy ? 'Uploading…' : 'Save'}
        </button>
      </div>
    </Dialog>
  );
}
