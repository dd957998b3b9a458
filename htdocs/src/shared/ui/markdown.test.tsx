// @vitest-environment jsdom
// The Markdown subset: the tree the parser makes, and what the renderer
// puts in the DOM, with hostile input (script-looking text, javascript:
// links, markup inside code spans, unbalanced and deeply nested markers).
import { act } from 'react';
import { describe, expect, it } from 'vitest';
import { Markdown, parseInline, parseMarkdown, safeHref } from './markdown';
import { withDom } from '@/test/dom';

const dom = withDom();
function render(text: string): HTMLDivElement {
  act(() => dom.root.render(<Markdown text={text} />));
  return dom.container;
}

describe('parseInline', () => {
  it('reads bold, italic, strike, code and spoilers', () => {
    expect(parseInline('a **b** *c* _d_ ~~e~~ `f` ||g||')).toEqual([
      { t: 'text', v: 'a ' },
      { t: 'strong', c: [{ t: 'text', v: 'b' }] },
      { t: 'text', v: ' ' },
      { t: 'em', c: [{ t: 'text', v: 'c' }] },
      { t: 'text', v: ' ' },
      { t: 'em', c: [{ t: 'text', v: 'd' }] },
      { t: 'text', v: ' ' },
      { t: 'del', c: [{ t: 'text', v: 'e' }] },
      { t: 'text', v: ' ' },
      { t: 'code', v: 'f' },
      { t: 'text', v: ' ' },
      { t: 'spoiler', c: [{ t: 'text', v: 'g' }] },
    ]);
  });

  it('nests markup', () => {
    expect(parseInline('**bold *and italic* too**')).toEqual([
      { t: 'strong', c: [{ t: 'text', v: 'bold ' }, { t: 'em', c: [{ t: 'text', v: 'and italic' }] }, { t: 'text', v: ' too' }] },
    ]);
    expect(parseInline('||**x**||')).toEqual([{ t: 'spoiler', c: [{ t: 'strong', c: [{ t: 'text', v: 'x' }] }] }]);
  });

  it('leaves unbalanced markers and snake_case words as typed', () => {
    expect(parseInline('2 * 3 = 6 and **open')).toEqual([{ t: 'text', v: '2 * 3 = 6 and **open' }]);
    expect(parseInline('snake_case_name')).toEqual([{ t: 'text', v: 'snake_case_name' }]);
    expect(parseInline('****')).toEqual([{ t: 'text', v: '****' }]);
  });

  it('keeps markup inside code spans literal', () => {
    expect(parseInline('`**not bold** <b>x</b>`')).toEqual([{ t: 'code', v: '**not bold** <b>x</b>' }]);
    expect(parseInline('**a `b**` c**')).toEqual([
      { t: 'strong', c: [{ t: 'text', v: 'a ' }, { t: 'code', v: 'b**' }, { t: 'text', v: ' c' }] },
    ]);
  });

  it('honours backslash escapes', () => {
    expect(parseInline('\\*not italic\\*')).toEqual([{ t: 'text', v: '*not italic*' }]);
  });

  it('links bare URLs without the sentence punctuation after them', () => {
    expect(parseInline('see https://example.com/a_b?x=1.')).toEqual([
      { t: 'text', v: 'see ' },
      { t: 'link', href: 'https://example.com/a_b?x=1', c: [{ t: 'text', v: 'https://example.com/a_b?x=1' }] },
      { t: 'text', v: '.' },
    ]);
    expect(parseInline('(https://example.com/wiki/X_(y))')).toEqual([
      { t: 'text', v: '(' },
      { t: 'link', href: 'https://example.com/wiki/X_(y)', c: [{ t: 'text', v: 'https://example.com/wiki/X_(y)' }] },
      { t: 'text', v: ')' },
    ]);
  });

  it('makes [text](url) links for http, https and mailto only', () => {
    expect(parseInline('[**site**](https://example.com)')).toEqual([
      { t: 'link', href: 'https://example.com/', c: [{ t: 'strong', c: [{ t: 'text', v: 'site' }] }] },
    ]);
    expect(parseInline('[x](javascript:alert(1))')).toEqual([{ t: 'text', v: '[x](javascript:alert(1))' }]);
    expect(parseInline('[x](JaVaScRiPt:alert(1))')[0].t).toBe('text');
    expect(parseInline('[x](data:text/html,<script>alert(1)</script>)')[0].t).toBe('text');
    expect(parseInline('[x](//evil.example)')[0].t).toBe('text');
  });

  it('survives deep nesting and long runs of markers', () => {
    const deep = '**'.repeat(200) + 'x' + '**'.repeat(200);
    expect(() => parseInline(deep)).not.toThrow();
    const start = performance.now();
    parseInline('*a '.repeat(1300));
    expect(performance.now() - start).toBeLessThan(1000);
  });
});

describe('safeHref', () => {
  it('accepts http, https and mailto only', () => {
    expect(safeHref('http://a.example/')).toBe('http://a.example/');
    expect(safeHref('mailto:someone@example.com')).toBe('mailto:someone@example.com');
    expect(safeHref('javascript:alert(1)')).toBeNull();
    expect(safeHref(' javascript:alert(1)')).toBeNull();
    expect(safeHref('vbscript:x')).toBeNull();
    expect(safeHref('file:///etc/passwd')).toBeNull();
    expect(safeHref('https://')).toBeNull();
  });
});

describe('parseMarkdown', () => {
  it('reads fenced code verbatim, quotes and text with its line breaks', () => {
    expect(parseMarkdown('hi\n```js\nconst a = **1**;\n<script>\n```\n> quoted *x*\nend')).toEqual([
      { t: 'p', c: [{ t: 'text', v: 'hi' }] },
      { t: 'pre', lang: 'js', v: 'const a = **1**;\n<script>' },
      { t: 'quote', c: [{ t: 'text', v: 'quoted ' }, { t: 'em', c: [{ t: 'text', v: 'x' }] }] },
      { t: 'p', c: [{ t: 'text', v: 'end' }] },
    ]);
  });

  it('leaves an unclosed fence as text', () => {
    expect(parseMarkdown('```\nno end')).toEqual([{ t: 'p', c: [{ t: 'text', v: '```\nno end' }] }]);
  });
});

describe('Markdown', () => {
  it('renders HTML-looking text as text, never as elements', () => {
    const el = render('<img src=x onerror=alert(1)> <script>alert(1)</script> **<b>bold</b>**');
    expect(el.querySelector('img, script, b')).toBeNull();
    expect(el.querySelector('strong')!.textContent).toBe('<b>bold</b>');
    expect(el.textContent).toContain('<img src=x onerror=alert(1)>');
  });

  it('renders links that open in a new tab without an opener', () => {
    const el = render('go to https://example.com/x or [mail](mailto:a@example.com) not [bad](javascript:alert(1))');
    const links = [...el.querySelectorAll('a')];
    expect(links.map((a) => a.getAttribute('href'))).toEqual(['https://example.com/x', 'mailto:a@example.com']);
    for (const a of links) {
      expect(a.getAttribute('target')).toBe('_blank');
      expect(a.getAttribute('rel')).toBe('noopener noreferrer');
    }
    expect(el.textContent).toContain('[bad](javascript:alert(1))');
  });

  it('renders code blocks, quotes and spoilers that reveal on click', () => {
    const el = render('```\n**raw**\n```\n> q\n||secret||');
    expect(el.querySelector('pre code')!.textContent).toBe('**raw**');
    expect(el.querySelector('blockquote')!.textContent).toBe('q');
    const spoiler = el.querySelector('[data-testid="spoiler"]') as HTMLElement;
    expect(spoiler.className).toBe('spoiler');
    act(() => spoiler.click());
    expect(spoiler.className).toBe('spoiler shown');
  });
});
