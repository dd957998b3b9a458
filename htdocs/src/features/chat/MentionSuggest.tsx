// Autocomplete of `@member` (and @here, @everyone) and `#room` in the
// composer: the word being typed before the caret picks the candidates;
// arrows move, Enter or Tab takes one, Escape closes.

import { forwardRef, useImperativeHandle, useMemo, useState, type KeyboardEvent, type RefObject } from 'react';
import type { GroupDetail } from '@/shared/api/types';
import { useMembers } from '@/shared/api/members';

export interface SuggestHandle {
  /** Handles a key of the composer; true when it was used. */
  onKeyDown: (e: KeyboardEvent<HTMLTextAreaElement>) => boolean;
}

interface Candidate {
  insert: string;
  label: string;
  hint?: string;
}

const MAX = 8;

/** The `@word` or `#word` that ends at `caret`, if any. */
export function tokenAt(text: string, caret: number): { sigil: '@' | '#'; query: string; start: number } | null {
  const m = /(^|[\s(])([@#])([A-Za-z0-9_-]*)$/.exec(text.slice(0, caret));
  if (!m) return null;
  return { sigil: m[2] as '@' | '#', query: m[3], start: caret - m[3].length - 1 };
}

interface Props {
  group: GroupDetail;
  text: string;
  inputRef: RefObject<HTMLTextAreaElement>;
  onReplace: (value: string, caret: number) => void;
}

export const MentionSuggest = forwardRef<SuggestHandle, Props>(function MentionSuggest({ group, text, inputRef, onReplace }, ref) {
  const { data: members } = useMembers(group.id);
  const [index, setIndex] = useState(0);
  const [closedFor, setClosedFor] = useState<string | null>(null);
  const caret = inputRef.current?.selectionStart ?? text.length;
  const token = tokenAt(text, caret);

  const candidates = useMemo<Candidate[]>(() => {
    if (!token) return [];
    const q = token.query.toLowerCase();
    if (token.sigil === '#') {
      return group.topics
        .flatMap((t) => t.rooms)
        .filter((r) => r.name.toLowerCase().startsWith(q))
        .slice(0, MAX)
        .map((r) => ({ insert: `#${r.name} `, label: `#${r.name}` }));
    }
    const list: Candidate[] = (members ?? [])
      .filter((m) => m.user.username.toLowerCase().startsWith(q) || m.user.profile.full_name.toLowerCase().startsWith(q))
      .slice(0, MAX)
      .map((m) => ({ insert: `@${m.user.username} `, label: `@${m.user.username}`, hint: m.user.profile.full_name }));
    for (const special of ['here', 'everyone']) {
      if (special.startsWith(q) && list.length < MAX) list.push({ insert: `@${special} `, label: `@${special}`, hint: special === 'here' ? 'online members' : 'all members' });
    }
    return list;
  }, [token?.sigil, token?.query, members, group.topics]);

  const key = token ? `${token.start}:${token.query}` : null;
  const open = token !== null && candidates.length > 0 && closedFor !== key;
  const current = Math.min(index, Math.max(0, candidates.length - 1));

  const pick = (c: Candidate) => {
    if (!token) return;
    const value = text.slice(0, token.start) + c.insert + text.slice(caret);
    const at = token.start + c.insert.length;
    onReplace(value, at);
    setIndex(0);
    requestAnimationFrame(() => {
      inputRef.current?.focus();
      inputRef.current?.setSelectionRange(at, at);
    });
  };

  useImperativeHandle(ref, () => ({
    onKeyDown: (e) => {
      if (!open) return false;
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        const n = candidates.length;
        setIndex((current + (e.key === 'ArrowDown' ? 1 : n - 1)) % n);
        return true;
      }
      if ((e.key === 'Enter' && !e.shiftKey) || e.key === 'Tab') {
        e.preventDefault();
        pick(candidates[current]);
        return true;
      }
      if (e.key === 'Escape') {
        e.preventDefault();
        setClosedFor(key);
        return true;
      }
      return false;
    },
  }));

  if (!open) return null;
  return (
    <ul className="suggest" role="listbox" aria-label={token?.sigil === '#' ? 'Rooms' : 'Members'} data-testid="mention-suggest">
      {candidates.map((c, i) => (
        <li
          key={c.label}
          role="option"
          aria-selected={i === current}
          className={i === current ? 'suggest-item active' : 'suggest-item'}
          data-testid="mention-suggest-item"
          onMouseDown={(e) => {
            e.preventDefault();
            pick(c);
          }}
        >
          <span>{c.label}</span>
          {c.hint && <span className="muted"> {c.hint}</span>}
        </li>
      ))}
    </ul>
  );
});
