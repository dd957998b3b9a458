// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { applyTheme, tokens } from './tokens';
import { contrastRatio } from './contrast';

describe('applyTheme', () => {
  it('sets the tokens as custom properties on :root without a <style> element (CSP style-src self)', () => {
    applyTheme(document);
    const root = document.documentElement;
    expect(root.style.getPropertyValue('--color-bg')).toBe(tokens.color.bg);
    expect(root.style.getPropertyValue('--color-bg-sidebar')).toBe(tokens.color.bgSidebar);
    expect(document.querySelectorAll('style')).toHaveLength(0);
  });
});

describe('contrast of the text colours (WCAG AA, 4.5:1)', () => {
  const c = tokens.color;
  // Every background small text is drawn on: panes, sidebars, hovered and
  // selected rows, inputs, menus.
  const backgrounds = { bg: c.bg, bgRail: c.bgRail, bgSidebar: c.bgSidebar, bgPane: c.bgPane, bgElevated: c.bgElevated, bgHover: c.bgHover, bgActive: c.bgActive };
  const texts = { text: c.text, textMuted: c.textMuted, textFaint: c.textFaint, focus: c.focus, dangerText: c.dangerText, successText: c.successText };
  for (const [fgName, fg] of Object.entries(texts)) {
    for (const [bgName, bg] of Object.entries(backgrounds)) {
      it(`${fgName} on ${bgName}`, () => {
        expect(contrastRatio(fg, bg)).toBeGreaterThanOrEqual(4.5);
      });
    }
  }
  it('white text on the accent, danger, success and unread fills', () => {
    for (const fill of [c.accent, c.accentHover, c.danger, c.dangerHover, c.success, c.unread]) {
      expect(contrastRatio(c.accentText, fill)).toBeGreaterThanOrEqual(4.5);
    }
  });
  it('computes known ratios', () => {
    expect(contrastRatio('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrastRatio('#777777', '#ffffff')).toBeCloseTo(4.48, 2);
  });
});
