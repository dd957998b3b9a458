// The emoji picker: a lazy chunk (React.lazy in ReactionBar) over the
// emojibase-data dataset, with a search box, group tabs and a grid.

import { useEffect, useMemo, useRef, useState } from 'react';
import { EMOJI_GROUPS, loadEmoji, type EmojiEntry } from './emojiData';

interface Props {
  onPick: (emoji: string) => void;
  onClose: () => void;
}

export default function EmojiPicker({ onPick, onClose }: Props) {
  const [list, setList] = useState<EmojiEntry[] | null>(null);
  const [failed, setFailed] = useState(false);
  const [query, setQuery] = useState('');
  const [group, setGroup] = useState(EMOJI_GROUPS[0].id);
  const ref = useRef<HTMLDivElement>(null);

  useEffect(() => {
    let live = true;
    loadEmoji().then(
      (l) => live && setList(l),
      () => live && setFailed(true),
    );
    return () => {
      live = false;
    };
  }, []);

  useEffect(() => {
    const onDown = (e: MouseEvent) => {
      if (ref.current && !ref.current.contains(e.target as Node)) onClose();
    };
    document.addEventListener('mousedown', onDown);
    return () => document.removeEventListener('mousedown', onDown);
  }, [onClose]);

  const shown = useMemo(() => {
    if (!list) return [];
    const q = query.trim().toLowerCase();
    if (!q) return list.filter((e) => e.group === group);
    return list.filter((e) => e.label.includes(q) || e.shortcodes.some((c) => c.includes(q)) || e.tags.some((t) => t.startsWith(q))).slice(0, 200);
  }, [list, query, group]);

  return (
    <div
      className="emoji-picker"
      role="dialog"
      aria-label="Pick an emoji"
      data-testid="emoji-picker"
      ref={ref}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.stopPropagation();
          onClose();
        }
      }}
    >
      <input
        type="search"
        className="emoji-search"
        placeholder="Search emoji"
        aria-label="Search emoji"
        data-testid="emoji-search"
        value={query}
        onChange={(e) => setQuery(e.target.value)}
        autoFocus
      />
      {!query && (
        <div className="emoji-tabs" role="tablist" aria-label="Emoji groups">
          {EMOJI_GROUPS.map((g) => (
            <button
              key={g.id}
              type="button"
              role="tab"
              aria-selected={g.id === group}
              aria-label={g.label}
              title={g.label}
              className={`emoji-tab${g.id === group ? ' active' : ''}`}
              onClick={() => setGroup(g.id)}
            >
              {g.icon}
            </button>
          ))}
        </div>
      )}
      <div className="emoji-grid">
        {failed && <p className="form-error">Could not load the emoji.</p>}
        {!list && !failed && <p className="muted">Loading…</p>}
        {shown.map((e) => (
          <button key={e.emoji} type="button" className="emoji-cell" title={`:${e.shortcodes[0] ?? e.label}:`} aria-label={e.label} data-emoji={e.emoji} onClick={() => onPick(e.emoji)}>
            {e.emoji}
          </button>
        ))}
      </div>
    </div>
  );
}
