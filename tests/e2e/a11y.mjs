// a11y.mjs - checks the browser tests run on every main screen: axe-core
// (serious and critical violations fail), no horizontal scrolling, and on
// a phone touch targets of at least 44 x 44 CSS px.
import fs from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const AXE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/**
 * Runs axe-core in the page (WCAG 2.1 A and AA rules) and returns the
 * serious and critical violations, one line each with the elements.
 * The source is evaluated through the DevTools protocol, which the page's
 * Content-Security-Policy (script-src 'self') does not govern.
 */
export async function axeViolations(page) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(AXE);
  const result = await page.evaluate(() => window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    resultTypes: ['violations'],
  }));
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 5)
      .map((n) => `${n.target.join(' ')}${n.failureSummary ? ` [${n.failureSummary.replace(/\s+/g, ' ')}]` : ''}`).join('; ')}`);
}

/** Whether the document scrolls sideways, and which main panes do. */
export function horizontalOverflow(page) {
  return page.evaluate(() => {
    const out = [];
    const doc = document.documentElement;
    if (doc.scrollWidth > window.innerWidth) out.push(`document ${doc.scrollWidth} > ${window.innerWidth}`);
    for (const el of document.querySelectorAll('main, .page, .auth-card, .dialog')) {
      if (el.scrollWidth > el.clientWidth + 1) out.push(`${el.className || el.tagName} ${el.scrollWidth} > ${el.clientWidth}`);
    }
    return out;
  });
}

/**
 * The visible controls smaller than 44 x 44 CSS px (WCAG 2.5.5), as
 * "what WxH". A checkbox counts by its label; links inside message text are
 * words in a sentence and exempt (2.5.5's "inline" exception).
 */
export function smallTargets(page, min = 44) {
  return page.evaluate((m) => {
    const out = [];
    const sel = 'a[href], button, input:not([type=hidden]), select, textarea, [role=button], [role=menuitem], [tabindex="0"]';
    for (const el of document.querySelectorAll(sel)) {
      if (el.closest('.message-text, [aria-hidden=true]')) continue;
      const target = (el.type === 'checkbox' || el.type === 'radio') && el.closest('label') ? el.closest('label') : el;
      const r = target.getBoundingClientRect();
      const st = getComputedStyle(el);
      if (r.width === 0 || r.height === 0 || st.visibility === 'hidden') continue;
      // Only what is on screen: off-canvas panels and scrolled-away rows do not count.
      if (r.right <= 0 || r.bottom <= 0 || r.left >= window.innerWidth || r.top >= window.innerHeight) continue;
      const hit = document.elementFromPoint(Math.min(Math.max(r.left + r.width / 2, 0), window.innerWidth - 1),
        Math.min(Math.max(r.top + r.height / 2, 0), window.innerHeight - 1));
      if (hit && !target.contains(hit) && !hit.contains(target)) continue; // covered by a panel or dialog
      if (r.width + 0.5 < m || r.height + 0.5 < m) {
        const name = el.getAttribute('aria-label') || el.getAttribute('data-testid') || (el.textContent || '').trim().slice(0, 24) || el.tagName;
        out.push(`${el.tagName.toLowerCase()}.${String(el.className).split(' ')[0]} "${name}" ${Math.round(r.width)}x${Math.round(r.height)}`);
      }
    }
    return out;
  }, min);
}
