// :shortcode: completion in the composer: typing ":sm" offers matching
// emoji (arrows move, Enter or Tab takes one, Escape closes); typing a
// whole ":smile:" turns it into the emoji. The dataset loads on the first
// colon (emojiData.ts, a lazy chunk).

import { useEffect, useState, type KeyboardEvent, type RefObject } from 'react';
import { loadEmoji, matchShortcode, type EmojiEntry } from './emojiData';

const TOKEN = /(^|\s):([a-z0-9_+-]{2,32})$/;
const WHOLE = /(^|\s):([a-z0-9_+-]{2,32}):$/;

/** The shortcode being typed before `caret`: its start (the colon) and text. */
export function shortcodeAt(text: string, caret: number): { start: number; query: string } | null {
  const m = TOKEN.exec(text.slice(0, caret));
  if (!m) return null;
  return { start: caret - m[2].length - 1, query: m[2] };
}

/** `text` with a whole ":code:" just typed before `caret` replaced by its emoji. */
export function replaceWholeShortcode(text: string, caret: number, list: readonly EmojiEntry[]): { text: string; caret: number } | null {
  const m = WHOLE.exec(text.slice(0, caret));
  if (!m) return null;
  const hit = list.find((e) => e.shortcodes.includes(m[2]));
  if (!hit) return null;
  const start = caret - m[2].length - 2;
  return { text: text.slice(0, start) + hit.emoji + text.slice(caret), caret: start + hit.emoji.length };
}

export function useShortcodes(text: string, ref: RefObject<HTMLTextAreaElement | null>, setText: (t: string) => void) {
  const [list, setList] = useState<EmojiEntry[] | null>(null);
  const [active, setActive] = useState(0);
  const [closedAt, setClosedAt] = useState<string | null>(null);
  const caret = ref.current?.selectionStart ?? text.length;
  const token = shortcodeAt(text, caret);
  const wantsData = text.includes(':');

  useEffect(() => {
    if (!wantsData || list) return;
    let live = true;
    loadEmoji().then(
      (l) => live && setList(l),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [wantsData, list]);

  // A whole :code: becomes its emoji as soon as it is typed.
  useEffect(() => {
    if (!list || !text.endsWith(':')) return;
    const el = ref.current;
    const at = el?.selectionStart ?? text.length;
    const next = replaceWholeShortcode(text, at, list);
    if (!next) return;
    setText(next.text);
    requestAnimationFrame(() => el?.setSelectionRange(next.caret, next.caret));
  }, [text, list, ref, setText]);

  const matches = token && list && closedAt !== text ? matchShortcode(list, token.query) : [];
  const index = Math.min(active, Math.max(0, matches.length - 1));

  const take = (emoji: string) => {
    if (!token) return;
    const next = text.slice(0, token.start) + emoji + ' ' + text.slice(caret);
    setText(next);
    setActive(0);
    const at = token.start + emoji.length + 1;
    requestAnimationFrame(() => {
      ref.current?.focus();
      ref.current?.setSelectionRange(at, at);
    });
  };

  /** true when the key was the completion's (the composer then ignores it). */
  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>): boolean => {
    if (matches.length === 0) return false;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      setActive((index + (e.key === 'ArrowDown' ? 1 : matches.length - 1)) % matches.length);
      return true;
    }
    if ((e.key === 'Enter' && !e.shiftKey) || e.key === 'Tab') {
      e.preventDefault();
      take(matches[index].emoji);
      return true;
    }
    if (e.key === 'Escape') {
      e.preventDefault();
      setClosedAt(text);
      return true;
    }
    return false;
  };

  const popup =
    matches.length > 0 ? (
      <div className="shortcode-list" role="listbox" aria-label="Emoji" data-testid="shortcode-list">
        {matches.map((m, k) => (
          <button
            key={m.emoji}
            type="button"
            role="option"
            aria-selected={k === index}
            className={`shortcode-item${k === index ? ' active' : ''}`}
            data-testid="shortcode-item"
            onMouseDown={(e) => {
              e.preventDefault();
              take(m.emoji);
            }}
          >
            <span>{m.emoji}</span>
            <span>:{m.code}:</span>
          </button>
        ))}
      </div>
    ) : null;

  return { onKeyDown, popup };
}
