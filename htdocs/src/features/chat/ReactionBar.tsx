// The reactions under a message: one chip per emoji with its count
// (pressed when I reacted; click to toggle; hover tells who reacted), and
// the button that opens the emoji picker (a lazy chunk).

import { lazy, Suspense, useState } from 'react';
import type { Id, Message } from '@/shared/api/types';
import { errorMessage } from '@/shared/api/client';
import { applyReaction, fetchReactors, react, type Reaction } from './reactions';

const EmojiPicker = lazy(() => import('./EmojiPicker'));

/** Toggles my reaction and applies the answer (the event may come first or later). */
export async function toggleReaction(message: Message, emoji: string, on: boolean, selfId: Id): Promise<void> {
  const res = await react(message.id, emoji, on);
  applyReaction(res, on, selfId);
}

function Chip({ message, reaction, selfId, onError }: { message: Message; reaction: Reaction; selfId: Id; onError: (e: string) => void }) {
  const [who, setWho] = useState<string | null>(null);
  const loadWho = () => {
    if (who !== null) return;
    setWho('');
    fetchReactors(message.id, reaction.emoji, 10).then(
      (p) => setWho(p.items.map((x) => x.user.full_name || x.user.username).join(', ') + (p.has_more ? '…' : '')),
      () => setWho(null),
    );
  };
  return (
    <button
      type="button"
      className={`reaction-chip${reaction.me ? ' mine' : ''}`}
      aria-pressed={!!reaction.me}
      aria-label={`${reaction.emoji} ${reaction.count}${reaction.me ? ', you reacted' : ''}`}
      title={who || undefined}
      data-testid="reaction-chip"
      data-emoji={reaction.emoji}
      onMouseEnter={loadWho}
      onFocus={loadWho}
      onClick={() => toggleReaction(message, reaction.emoji, !reaction.me, selfId).catch((e) => onError(errorMessage(e)))}
    >
      <span className="reaction-emoji">{reaction.emoji}</span>
      <span className="reaction-count" data-testid="reaction-count">
        {reaction.count}
      </span>
    </button>
  );
}

/** The picker as a popover; `onPick` gets the emoji. */
export function PickerPopover({ onPick, onClose }: { onPick: (emoji: string) => void; onClose: () => void }) {
  return (
    <Suspense fallback={<div className="emoji-picker muted">Loading…</div>}>
      <EmojiPicker onPick={onPick} onClose={onClose} />
    </Suspense>
  );
}

export function ReactionBar({ message, selfId, picking, setPicking }: { message: Message; selfId: Id; picking: boolean; setPicking: (on: boolean) => void }) {
  const [error, setError] = useState('');
  if (message.reactions.length === 0 && !picking && !error) return null;
  const pick = (emoji: string) => {
    setPicking(false);
    const have = message.reactions.find((r) => r.emoji === emoji);
    if (have?.me) return;
    toggleReaction(message, emoji, true, selfId).then(
      () => setError(''),
      (e) => setError(errorMessage(e)),
    );
  };
  return (
    <div className="reaction-bar" data-testid="reaction-bar">
      {message.reactions.map((r) => (
        <Chip key={r.emoji} message={message} reaction={r} selfId={selfId} onError={setError} />
      ))}
      {message.reactions.length > 0 && (
        <button type="button" className="reaction-chip add" aria-label="Add reaction" title="Add reaction" onClick={() => setPicking(!picking)}>
          +
        </button>
      )}
      {picking && <PickerPopover onPick={pick} onClose={() => setPicking(false)} />}
      {error && (
        <span className="form-error" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}
