// The emoji dataset of the picker and of :shortcode: completion, loaded on
// first use as its own chunk (emojibase-data, the same dataset the server's
// table of valid reactions is generated from: fcgi-apps/rooms/emoji_table.c).

export interface EmojiEntry {
  emoji: string;
  label: string;
  group: number;
  /** GitHub-style shortcodes, without colons. */
  shortcodes: string[];
  tags: string[];
}

interface CompactEmoji {
  /** The spelling the server stores (fcgi-apps/rooms/emoji_table.c). */
  unicode: string;
  label: string;
  hexcode: string;
  group?: number;
  order?: number;
  tags?: string[];
}

/** The picker's tabs: emojibase group numbers (2, "component", is left out). */
export const EMOJI_GROUPS: { id: number; label: string; icon: string }[] = [
  { id: 0, label: 'Smileys & emotion', icon: '😀' },
  { id: 1, label: 'People & body', icon: '👋' },
  { id: 3, label: 'Animals & nature', icon: '🐻' },
  { id: 4, label: 'Food & drink', icon: '🍔' },
  { id: 5, label: 'Travel & places', icon: '🚗' },
  { id: 6, label: 'Activities', icon: '⚽' },
  { id: 7, label: 'Objects', icon: '💡' },
  { id: 8, label: 'Symbols', icon: '❤️' },
  { id: 9, label: 'Flags', icon: '🏁' },
];

let loading: Promise<EmojiEntry[]> | null = null;

/** Every emoji of the picker, in the dataset's order (loaded once). */
export function loadEmoji(): Promise<EmojiEntry[]> {
  if (!loading) {
    loading = Promise.all([import('emojibase-data/en/compact.json'), import('emojibase-data/en/shortcodes/github.json')]).then(
      ([compact, codes]) => {
        const shortcodes = codes.default as unknown as Record<string, string | string[]>;
        return (compact.default as unknown as CompactEmoji[])
          .filter((e) => e.group !== undefined && e.group !== 2)
          .sort((a, b) => (a.order ?? 0) - (b.order ?? 0))
          .map((e) => {
            const sc = shortcodes[e.hexcode];
            return { emoji: e.unicode, label: e.label, group: e.group!, shortcodes: sc === undefined ? [] : ([] as string[]).concat(sc), tags: e.tags ?? [] };
          });
      },
    );
    loading.catch(() => {
      loading = null;
    });
  }
  return loading;
}

/** Emoji whose shortcode starts with `prefix` (then those containing it), at most `max`. */
export function matchShortcode(list: readonly EmojiEntry[], prefix: string, max = 8): { emoji: string; code: string }[] {
  const p = prefix.toLowerCase();
  const starts: { emoji: string; code: string }[] = [];
  const contains: { emoji: string; code: string }[] = [];
  for (const e of list) {
    const code = e.shortcodes.find((c) => c.startsWith(p)) ?? e.shortcodes.find((c) => c.includes(p));
    if (code === undefined) continue;
    (code.startsWith(p) ? starts : contains).push({ emoji: e.emoji, code });
    if (starts.length >= max) break;
  }
  return [...starts, ...contains].slice(0, max);
}
