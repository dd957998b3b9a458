// The phone layout's panels (below 640 px one pane shows at a time): the
// buttons that open the navigation drawer and the members sheet, and the
// backdrop that closes them. The panels themselves are the rail, the
// sidebar and the member list, placed by CSS from .shell[data-panel].

import { useEffect, useRef, type ReactNode } from 'react';
import { useLocation } from 'react-router-dom';
import { useLayoutStore, type Panel } from '@/shared/stores/layoutStore';

/** Where each panel's first focus goes, in order of preference. */
const FIRST_FOCUS: Record<Panel, string> = {
  nav: '.sidebar .room-item.active, .rail .rail-item.active, .rail .rail-item',
  members: '.members',
};

function focusPanel(panel: Panel) {
  const el = document.querySelector<HTMLElement>(FIRST_FOCUS[panel]);
  if (!el) return;
  // A container (the member list) takes focus without joining the Tab order.
  if (!el.matches('a, button, input, select, textarea, [tabindex]')) el.tabIndex = -1;
  el.focus();
}

/** Opens a panel; focus moves into it and back to the button when it closes. */
export function PanelToggle({ panel, label, className, children }: { panel: Panel; label: string; className: string; children: ReactNode }) {
  const open = useLayoutStore((s) => s.panel === panel);
  const ref = useRef<HTMLButtonElement>(null);
  const wasOpen = useRef(false);

  useEffect(() => {
    if (open) {
      // After the frame that shows the panel (a hidden element takes no focus).
      const raf = requestAnimationFrame(() => focusPanel(panel));
      wasOpen.current = true;
      return () => cancelAnimationFrame(raf);
    } else if (wasOpen.current && !document.activeElement?.closest('main, [role=dialog]')) {
      // Closed by Escape or the backdrop: back to the button. A link in the
      // panel that opened another screen keeps the focus that screen gave.
      ref.current?.focus();
    }
    wasOpen.current = open;
  }, [open, panel]);

  return (
    <button
      ref={ref}
      type="button"
      className={`panel-toggle ${className}`}
      aria-label={label}
      aria-expanded={open}
      data-testid={`open-${panel}`}
      onClick={() => useLayoutStore.getState().open(panel)}
    >
      {children}
    </button>
  );
}

/** The dimmed layer behind an open panel; Escape, a tap on it or a new screen close the panel. */
export function PanelBackdrop() {
  const panel = useLayoutStore((s) => s.panel);
  const location = useLocation();

  useEffect(() => {
    useLayoutStore.getState().close();
  }, [location.pathname]);

  useEffect(() => {
    if (!panel) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && !document.querySelector('[role=dialog]')) useLayoutStore.getState().close();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [panel]);

  if (!panel) return null;
  return <div className="panel-backdrop" data-testid="panel-backdrop" aria-hidden="true" onClick={() => useLayoutStore.getState().close()} />;
}
