// The safe Markdown subset of messages, parsed to a small tree and rendered
// as React elements (never innerHTML): **bold**, *italic* / _italic_,
// ~~strike~~, `code`, ||spoiler||, ```fenced code```, > quotes, line
// breaks, bare http/https/mailto URLs and [text](url) links. A link is
// made only for those three schemes, always with rel="noopener noreferrer"
// and target="_blank"; anything else stays as the text that was typed.
// The server stores text as written; this is the only place it is read
// as markup.

import { Fragment, useState, type ReactNode } from 'react';

export type Inline =
  | { t: 'text'; v: string }
  | { t: 'code'; v: string }
  | { t: 'strong' | 'em' | 'del' | 'spoiler'; c: Inline[] }
  | { t: 'link'; href: string; c: Inline[] };

export type Block = { t: 'p'; c: Inline[] } | { t: 'quote'; c: Inline[] } | { t: 'pre'; lang: string; v: string };

const SCHEMES = new Set(['http:', 'https:', 'mailto:']);

/** The URL to link to, or null when it is not an absolute http, https or
 * mailto URL. */
export function safeHref(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  if (!SCHEMES.has(url.protocol)) return null;
  if (url.protocol === 'mailto:' ? url.pathname === '' : url.host === '') return null;
  return url.href;
}

const ESCAPABLE = '\\*_~|`[]()>#';
const BARE_URL = /^(?:https?:\/\/|mailto:)[^\s<>"]+/i;
const WORD = /[\p{L}\p{N}]/u;

/** Where `delim` closes after `from` in `s`: not escaped, not inside a code
 * span, and (for `*` and `_`) not half of a doubled marker; -1 if never. */
function findClose(s: string, delim: string, from: number): number {
  for (let i = from; i < s.length; i++) {
    const ch = s[i];
    if (ch === '\\') {
      i++;
      continue;
    }
    if (ch === '`' && delim !== '`') {
      const end = s.indexOf('`', i + 1);
      if (end < 0) return -1;
      i = end;
      continue;
    }
    if (!s.startsWith(delim, i)) continue;
    if (delim.length === 1 && (s[i + 1] === delim || s[i - 1] === delim)) {
      if (delim === '*') {
        i++;
        continue;
      }
    }
    if (delim === '_' && i + 1 < s.length && WORD.test(s[i + 1])) continue;
    if (i === from) continue; // empty span
    return i;
  }
  return -1;
}

/** Trailing punctuation that ends a sentence, not the URL ("see x.com/a."),
 * and a closing parenthesis that has no opening one in the URL. */
function trimUrl(url: string): string {
  let u = url;
  for (;;) {
    const last = u[u.length - 1];
    if ('.,;:!?\'"'.includes(last)) u = u.slice(0, -1);
    else if (last === ')' && (u.match(/\(/g)?.length ?? 0) < (u.match(/\)/g)?.length ?? 0)) u = u.slice(0, -1);
    else return u;
  }
}

const PAIRS: [string, 'strong' | 'em' | 'del' | 'spoiler'][] = [
  ['**', 'strong'],
  ['~~', 'del'],
  ['||', 'spoiler'],
  ['*', 'em'],
  ['_', 'em'],
];

/** Inline markup of one block of text. */
export function parseInline(s: string, depth = 0): Inline[] {
  const out: Inline[] = [];
  let text = '';
  const flush = () => {
    if (text) out.push({ t: 'text', v: text });
    text = '';
  };
  let i = 0;
  while (i < s.length) {
    const ch = s[i];
    if (ch === '\\' && i + 1 < s.length && ESCAPABLE.includes(s[i + 1])) {
      text += s[i + 1];
      i += 2;
      continue;
    }
    if (ch === '`') {
      const end = s.indexOf('`', i + 1);
      if (end > i + 1) {
        flush();
        out.push({ t: 'code', v: s.slice(i + 1, end) });
        i = end + 1;
        continue;
      }
    }
    const prevWord = i > 0 && WORD.test(s[i - 1]);
    if (!prevWord || ch !== '_') {
      const url = ch === 'h' || ch === 'H' || ch === 'm' || ch === 'M' ? BARE_URL.exec(s.slice(i)) : null;
      if (url && !prevWord) {
        const raw = trimUrl(url[0]);
        const href = safeHref(raw);
        if (href) {
          flush();
          out.push({ t: 'link', href, c: [{ t: 'text', v: raw }] });
          i += raw.length;
          continue;
        }
      }
    }
    if (ch === '[' && depth < 8) {
      const close = findClose(s, ']', i + 1);
      if (close > i && s[close + 1] === '(') {
        const end = s.indexOf(')', close + 2);
        const href = end > 0 ? safeHref(s.slice(close + 2, end).trim()) : null;
        if (href) {
          flush();
          out.push({ t: 'link', href, c: parseInline(s.slice(i + 1, close), depth + 1) });
          i = end + 1;
          continue;
        }
      }
    }
    let matched = false;
    if (depth < 8) {
      for (const [delim, t] of PAIRS) {
        if (!s.startsWith(delim, i)) continue;
        if (delim === '_' && prevWord) break;
        if (delim === '*' && s[i + 1] === '*') continue;
        const close = findClose(s, delim, i + delim.length);
        if (close < 0) continue;
        const inner = s.slice(i + delim.length, close);
        if (inner.trim() === '' || /^\s/.test(inner)) continue;
        flush();
        out.push({ t, c: parseInline(inner, depth + 1) });
        i = close + delim.length;
        matched = true;
        break;
      }
    }
    if (matched) continue;
    text += ch;
    i++;
  }
  flush();
  return out;
}

const FENCE = /^```([\w+-]*)\s*$/;

/** Blocks of a message: fenced code, quotes (lines starting with '>'),
 * and everything else as text with its line breaks. */
export function parseMarkdown(src: string): Block[] {
  const lines = src.split('\n');
  const blocks: Block[] = [];
  let para: string[] = [];
  let quote: string[] = [];
  const flushPara = () => {
    if (para.length) blocks.push({ t: 'p', c: parseInline(para.join('\n')) });
    para = [];
  };
  const flushQuote = () => {
    if (quote.length) blocks.push({ t: 'quote', c: parseInline(quote.join('\n')) });
    quote = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const fence = FENCE.exec(line.trimEnd());
    if (fence) {
      let end = i + 1;
      while (end < lines.length && lines[end].trimEnd() !== '```') end++;
      if (end < lines.length) {
        flushPara();
        flushQuote();
        blocks.push({ t: 'pre', lang: fence[1], v: lines.slice(i + 1, end).join('\n') });
        i = end;
        continue;
      }
    }
    if (line.startsWith('>')) {
      flushPara();
      quote.push(line.replace(/^> ?/, ''));
      continue;
    }
    flushQuote();
    para.push(line);
  }
  flushPara();
  flushQuote();
  return blocks;
}

function Spoiler({ children }: { children: ReactNode }) {
  const [shown, setShown] = useState(false);
  return (
    <span
      className={`spoiler${shown ? ' shown' : ''}`}
      role="button"
      tabIndex={shown ? -1 : 0}
      aria-label={shown ? undefined : 'Spoiler, press to reveal'}
      aria-pressed={shown}
      data-testid="spoiler"
      onClick={() => setShown(true)}
      onKeyDown={(e) => {
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          setShown(true);
        }
      }}
    >
      {children}
    </span>
  );
}

/** Renders a run of plain text (e.g. to mark mentions in it); plain by default. */
export type TextRenderer = (text: string) => ReactNode;

function renderInline(nodes: Inline[], text?: TextRenderer): ReactNode[] {
  return nodes.map((n, k) => {
    switch (n.t) {
      case 'text':
        return text ? <Fragment key={k}>{text(n.v)}</Fragment> : n.v;
      case 'code':
        return <code key={k}>{n.v}</code>;
      case 'strong':
        return <strong key={k}>{renderInline(n.c, text)}</strong>;
      case 'em':
        return <em key={k}>{renderInline(n.c, text)}</em>;
      case 'del':
        return <del key={k}>{renderInline(n.c, text)}</del>;
      case 'spoiler':
        return <Spoiler key={k}>{renderInline(n.c, text)}</Spoiler>;
      case 'link':
        return (
          <a key={k} href={n.href} target="_blank" rel="noopener noreferrer">
            {renderInline(n.c)}
          </a>
        );
    }
  });
}

/** A message's text as React elements; `renderText` renders the plain runs
 * (never inside code or link text). */
export function Markdown({ text, renderText }: { text: string; renderText?: TextRenderer }) {
  const blocks = parseMarkdown(text);
  return (
    <>
      {blocks.map((b, k) => {
        if (b.t === 'pre')
          return (
            <pre key={k} className="md-code" data-lang={b.lang || undefined}>
              <code>{b.v}</code>
            </pre>
          );
        if (b.t === 'quote')
          return (
            <blockquote key={k} className="md-quote">
              {renderInline(b.c, renderText)}
            </blockquote>
          );
        return (
          <span key={k} className="md-p">
            {renderInline(b.c, renderText)}
          </span>
        );
      })}
    </>
  );
}
