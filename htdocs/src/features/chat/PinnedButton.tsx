// The room header's pinned messages: a button with their count that opens
// the list (GET /api/rooms/{id}/pins, refetched on message.pinned and
// message.unpinned); a click on one jumps to it in the history.

import { useEffect, useRef, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import type { Id } from '@/shared/api/types';
import { senderOf } from '@/shared/api/types';
import { Markdown } from '@/shared/ui/markdown';
import { formatDateTime } from '@/shared/ui/format';
import { PinIcon } from '@/shared/ui/icons';
import { fetchPins, pinsKey } from './reactions';

export function PinnedButton({ roomId, onJump }: { roomId: Id; onJump: (id: Id) => void }) {
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  const { data } = useQuery({ queryKey: pinsKey(roomId), queryFn: () => fetchPins(roomId) });
  const pins = data?.items ?? [];

  useEffect(() => {
    if (!open) return;
    const onDown = (e: MouseEvent) => {
      if (ref.current && !ref.current.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', onDown);
    return () => document.removeEventListener('mousedown', onDown);
  }, [open]);

  return (
    <div className="pins" ref={ref}>
      <button
        type="button"
        className="icon-button pins-button"
        aria-label={`Pinned messages: ${pins.length}`}
        aria-expanded={open}
        title="Pinned messages"
        data-testid="pins-button"
        onClick={() => setOpen(!open)}
      >
        <PinIcon />
        <span data-testid="pins-count">{pins.length}</span>
      </button>
      {open && (
        <div className="pins-list" role="dialog" aria-label="Pinned messages" data-testid="pins-list">
          {pins.length === 0 && <p className="muted">No pinned messages yet.</p>}
          {pins.map((m) => (
            <button
              key={m.id}
              type="button"
              className="pins-item"
              data-testid="pins-item"
              onClick={() => {
                setOpen(false);
                onJump(m.id);
              }}
            >
              <span className="pins-meta">
                {senderOf(m).full_name || senderOf(m).username} · {formatDateTime(m.created_at)}
              </span>
              <span className="pins-text">
                <Markdown text={m.text} />
              </span>
            </button>
          ))}
        </div>
      )}
    </div>
  );
}
