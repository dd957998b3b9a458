import { describe, expect, it } from 'vitest';
import { parseSnippet } from './snippet';

describe('parseSnippet', () => {
  it('splits marks and decodes entities without producing HTML', () => {
    expect(parseSnippet('say &lt;b&gt;<mark>hello</mark> &amp; bye')).toEqual([
      { text: 'say <b>', mark: false },
      { text: 'hello', mark: true },
      { text: ' & bye', mark: false },
    ]);
  });

  it('keeps script-like text as text', () => {
    const parts = parseSnippet('&lt;script&gt;alert(1)&lt;/script&gt; <mark>x</mark>');
    expect(parts[0]).toEqual({ text: '<script>alert(1)</script> ', mark: false });
    expect(parts[1]).toEqual({ text: 'x', mark: true });
  });
});
