// A round picture, or initials on a colour when there is none.

import { tokens } from '@/shared/theme/tokens';

interface AvatarProps {
  url: string | null | undefined;
  name: string;
  size?: number;
  testId?: string;
  square?: boolean;
}

export function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  if (parts.length === 0) return '?';
  if (parts.length === 1) return parts[0].slice(0, 2).toUpperCase();
  return (parts[0][0] + parts[1][0]).toUpperCase();
}

export function Avatar({ url, name, size = 40, testId, square }: AvatarProps) {
  const style = { width: size, height: size, borderRadius: square ? tokens.radius.lg : tokens.radius.round };
  if (url) return <img className="avatar" src={url} alt="" style={style} data-testid={testId} />;
  return (
    <span className="avatar avatar-initials" style={{ ...style, fontSize: size * 0.38 }} aria-hidden="true" data-testid={testId}>
      {initials(name)}
    </span>
  );
}
