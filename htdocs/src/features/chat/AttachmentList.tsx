// A message's files: images as previews (thumbnails) that open a gallery
// view, everything else as a card with name, size and a download link.

import { useEffect, useState } from 'react';
import { createPortal } from 'react-dom';
import type { Attachment } from './attachments';
import { formatBytes, isImage } from './attachments';
import './attachments.css';

export function AttachmentList({ attachments }: { attachments: Attachment[] }) {
  const [open, setOpen] = useState<number | null>(null);
  if (attachments.length === 0) return null;
  const images = attachments.filter(isImage);
  const files = attachments.filter((a) => !isImage(a));
  return (
    <div className="attach-list" data-testid="attachments">
      {images.length > 0 && (
        <div className="attach-gallery">
          {images.map((a, i) => (
            <button key={a.id} type="button" className="attach-thumb" data-testid="attach-image" aria-label={`View ${a.name}`} onClick={() => setOpen(i)}>
              <img
                src={a.thumbnail?.url ?? a.url}
                alt={a.name}
                width={a.thumbnail?.width}
                height={a.thumbnail?.height}
                loading="lazy"
              />
            </button>
          ))}
        </div>
      )}
      {files.map((a) => (
        <div key={a.id} className="attach-card" data-testid="attach-file">
          <span className="attach-card-icon" aria-hidden="true">
            📄
          </span>
          <span className="attach-card-text">
            <span className="attach-card-name" title={a.name}>
              {a.name}
            </span>
            <small className="muted">
              {formatBytes(a.size)} · {a.content_type}
            </small>
          </span>
          <a className="button attach-download" href={a.url} download={a.name} data-testid="attach-download">
            Download
          </a>
        </div>
      ))}
      {open !== null && <Lightbox images={images} index={open} onIndex={setOpen} onClose={() => setOpen(null)} />}
    </div>
  );
}

interface LightboxProps {
  images: Attachment[];
  index: number;
  onIndex: (i: number) => void;
  onClose: () => void;
}

/** The gallery view: one image at full size, arrows (and the arrow keys)
 * for the others of the message, Escape or a click outside closes. */
function Lightbox({ images, index, onIndex, onClose }: LightboxProps) {
  const a = images[index];
  const n = images.length;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') onClose();
      else if (e.key === 'ArrowRight' && n > 1) onIndex((index + 1) % n);
      else if (e.key === 'ArrowLeft' && n > 1) onIndex((index + n - 1) % n);
      else return;
      e.stopPropagation();
    };
    document.addEventListener('keydown', onKey, true);
    return () => document.removeEventListener('keydown', onKey, true);
  }, [index, n, onIndex, onClose]);
  return createPortal(
    <div className="attach-lightbox" role="dialog" aria-modal="true" aria-label={a.name} data-testid="lightbox" onClick={onClose}>
      <figure onClick={(e) => e.stopPropagation()}>
        <img src={a.url} alt={a.name} />
        <figcaption>
          <span>{a.name}</span>
          {a.width && a.height ? (
            <small className="muted">
              {' '}
              {a.width} × {a.height} · {formatBytes(a.size)}
            </small>
          ) : null}{' '}
          <a href={a.url} download={a.name} className="link-button">
            Download
          </a>
        </figcaption>
      </figure>
      {n > 1 && (
        <>
          <button type="button" className="attach-nav attach-prev" aria-label="Previous image" onClick={(e) => (e.stopPropagation(), onIndex((index + n - 1) % n))}>
            ‹
          </button>
          <button type="button" className="attach-nav attach-next" aria-label="Next image" onClick={(e) => (e.stopPropagation(), onIndex((index + 1) % n))}>
            ›
          </button>
        </>
      )}
      <button type="button" className="icon-button attach-close" aria-label="Close" data-testid="lightbox-close" onClick={onClose}>
        ✕
      </button>
    </div>,
    document.body,
  );
}
