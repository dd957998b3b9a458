// A small context menu: opened by right-click or by its "⋯" button,
// arrow keys move, Enter picks, Escape or a click outside closes.

import { useEffect, useRef, useState, type MouseEvent as ReactMouseEvent, type ReactNode } from 'react';
import { createPortal } from 'react-dom';

export interface MenuItem {
  label: string;
  onSelect: () => void;
  danger?: boolean;
  testId?: string;
}

interface MenuState {
  x: number;
  y: number;
}

export function useContextMenu() {
  const [at, setAt] = useState<MenuState | null>(null);
  const openAt = (e: ReactMouseEvent) => {
    e.preventDefault();
    e.stopPropagation();
    setAt({ x: e.clientX, y: e.clientY });
  };
  const openBelow = (el: HTMLElement) => {
    const r = el.getBoundingClientRect();
    setAt({ x: r.left, y: r.bottom + 4 });
  };
  return { at, openAt, openBelow, close: () => setAt(null) };
}

interface MenuProps {
  at: MenuState;
  items: MenuItem[];
  label: string;
  onClose: () => void;
}

export function Menu({ at, items, label, onClose }: MenuProps) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const node = ref.current;
    node?.querySelector<HTMLElement>('[role="menuitem"]')?.focus();
    const onDown = (e: MouseEvent) => {
      if (node && !node.contains(e.target as Node)) onClose();
    };
    document.addEventListener('mousedown', onDown);
    return () => document.removeEventListener('mousedown', onDown);
  }, [onClose]);

  const onKey = (e: React.KeyboardEvent) => {
    const buttons = Array.from(ref.current?.querySelectorAll<HTMLElement>('[role="menuitem"]') ?? []);
    const i = buttons.indexOf(document.activeElement as HTMLElement);
    if (e.key === 'Escape') {
      e.preventDefault();
      onClose();
    } else if (e.key === 'ArrowDown') {
      e.preventDefault();
      buttons[(i + 1) % buttons.length]?.focus();
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      buttons[(i - 1 + buttons.length) % buttons.length]?.focus();
    }
  };

  const x = Math.min(at.x, window.innerWidth - 200);
  const y = Math.min(at.y, window.innerHeight - items.length * 36 - 16);
  return createPortal(
    <div ref={ref} className="menu" role="menu" aria-label={label} style={{ left: x, top: y }} onKeyDown={onKey}>
      {items.map((item) => (
        <button
          key={item.label}
          type="button"
          role="menuitem"
          className={item.danger ? 'menu-item danger' : 'menu-item'}
          data-testid={item.testId}
          onClick={() => {
            onClose();
            item.onSelect();
          }}
        >
          {item.label}
        </button>
      ))}
    </div>,
    document.body,
  );
}

export function MenuButton({ label, onOpen, children }: { label: string; onOpen: (el: HTMLElement) => void; children?: ReactNode }) {
  return (
    <button
      type="button"
      className="icon-button menu-button"
      aria-label={label}
      aria-haspopup="menu"
      onClick={(e) => {
        e.stopPropagation();
        e.preventDefault();
        onOpen(e.currentTarget);
      }}
    >
      {children ?? '⋯'}
    </button>
  );
}
