// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { applyTheme, tokens } from './tokens';

describe('applyTheme', () => {
  it('sets the tokens as custom properties on :root without a <style> element (CSP style-src self)', () => {
    applyTheme(document);
    const root = document.documentElement;
    expect(root.style.getPropertyValue('--color-bg')).toBe(tokens.color.bg);
    expect(root.style.getPropertyValue('--color-bg-sidebar')).toBe(tokens.color.bgSidebar);
    expect(document.querySelectorAll('style')).toHaveLength(0);
  });
});
