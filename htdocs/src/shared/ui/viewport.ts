// The height the app may use: the visual viewport (what the on-screen
// keyboard leaves), written to --app-height so the composer stays above it.

/**
 * Keeps `--app-height` on :root equal to the visual viewport's height.
 * `100dvh` follows the keyboard only where the viewport meta asks for
 * `interactive-widget=resizes-content` and the browser honours it; the
 * visualViewport API covers the others (Safari). Returns a remover.
 */
export function trackViewportHeight(win: Window = window): () => void {
  const vv = win.visualViewport;
  if (!vv) return () => {};
  const root = win.document.documentElement;
  const update = () => root.style.setProperty('--app-height', `${Math.round(vv.height)}px`);
  update();
  vv.addEventListener('resize', update);
  return () => {
    vv.removeEventListener('resize', update);
    root.style.removeProperty('--app-height');
  };
}
