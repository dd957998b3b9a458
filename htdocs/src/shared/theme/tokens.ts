// The design tokens of the app: the only place colours, spacing, radii,
// fonts and layout sizes are defined. CSS reads them as custom properties
// (`var(--color-bg)` …) that applyTheme() writes on :root at start-up.

export const tokens = {
  color: {
    bg: '#1e1f22',
    bgRail: '#111214',
    bgSidebar: '#2b2d31',
    bgPane: '#313338',
    bgElevated: '#383a40',
    bgInput: '#1e1f22',
    bgHover: '#3a3c42',
    bgActive: '#404249',
    border: '#3f4147',
    text: '#f2f3f5',
    textMuted: '#b5bac1',
    // Timestamps, dividers, inactive rooms: 4.5:1 (WCAG AA) on every
    // background they are drawn on, bgActive (#404249) included.
    textFaint: '#abb0b7',
    accent: '#5865f2',
    accentHover: '#4752c4',
    accentText: '#ffffff',
    // Backgrounds under white text (4.5:1); danger *text* is dangerText.
    danger: '#da373c',
    dangerHover: '#b32d31',
    dangerText: '#ff9496',
    success: '#248046',
    successText: '#3dd68c',
    warning: '#f0b232',
    online: '#23a55a',
    busy: '#f23f43',
    sleeping: '#f0b232',
    offline: '#80848e',
    unread: '#da373c',
    mention: '#faa61a',
    highlight: 'rgba(88, 101, 242, 0.25)',
    mark: 'rgba(250, 166, 26, 0.35)',
    overlay: 'rgba(0, 0, 0, 0.7)',
    // Focus rings and links (link-buttons too): 4.5:1 on every background.
    focus: '#5ec4ff',
  },
  space: { xxs: '2px', xs: '4px', sm: '8px', md: '12px', lg: '16px', xl: '24px', xxl: '32px' },
  radius: { sm: '4px', md: '8px', lg: '16px', round: '50%' },
  font: {
    body: "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, 'Noto Sans', sans-serif",
    mono: "ui-monospace, SFMono-Regular, Menlo, Consolas, 'Liberation Mono', monospace",
    sizeXs: '11px',
    sizeSm: '13px',
    sizeMd: '15px',
    sizeLg: '18px',
    sizeXl: '24px',
  },
  size: {
    rail: '72px',
    sidebar: '240px',
    members: '240px',
    railIcon: '48px',
    avatar: '40px',
    avatarSm: '32px',
    header: '48px',
  },
  shadow: {
    menu: '0 8px 16px rgba(0, 0, 0, 0.24)',
    dialog: '0 8px 32px rgba(0, 0, 0, 0.5)',
  },
} as const;

/** Colour of a presence dot for a user status. */
export function statusColor(status: string | undefined, online: boolean): string {
  if (!online) return tokens.color.offline;
  switch (status) {
    case 'Busy':
      return tokens.color.busy;
    case 'Sleeping':
      return tokens.color.sleeping;
    case 'Offline':
      return tokens.color.offline;
    default:
      return tokens.color.online;
  }
}

function kebab(s: string): string {
  return s.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());
}

/** The tokens as CSS custom property declarations, e.g. `--color-bg: #1e1f22;`. */
export function tokensToCss(): string {
  const lines: string[] = [];
  for (const [group, values] of Object.entries(tokens)) {
    for (const [name, value] of Object.entries(values as Record<string, string>)) {
      lines.push(`--${group}-${kebab(name)}: ${value};`);
    }
  }
  return `:root{${lines.join('')}}`;
}

/**
 * Installs the tokens on :root; call once before the first render. They are
 * set through the CSSOM (element.style.setProperty), which the server's
 * Content-Security-Policy (`style-src 'self'`) allows, unlike an injected
 * <style> element.
 */
export function applyTheme(doc: Document = document): void {
  const root = doc.documentElement;
  for (const [group, values] of Object.entries(tokens)) {
    for (const [name, value] of Object.entries(values as Record<string, string>)) {
      root.style.setProperty(`--${group}-${kebab(name)}`, value);
    }
  }
  root.dataset.theme = 'easy-chat-dark';
}
