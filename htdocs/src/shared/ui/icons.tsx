// Inline SVG icons (no icon font, nothing fetched at run time).

interface IconProps {
  size?: number;
}

function Svg({ size = 18, d }: IconProps & { d: string }) {
  return (
    <svg width={size} height={size} viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth={2} strokeLinecap="round" strokeLinejoin="round" aria-hidden="true" focusable="false">
      <path d={d} />
    </svg>
  );
}

export const CompassIcon = (p: IconProps) => <Svg {...p} d="M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zm4.2 5.8-2.1 6.3-6.3 2.1 2.1-6.3z" />;
export const SearchIcon = (p: IconProps) => <Svg {...p} d="M11 4a7 7 0 1 0 0 14 7 7 0 0 0 0-14zm9 16-4-4" />;
export const PlusIcon = (p: IconProps) => <Svg {...p} d="M12 5v14M5 12h14" />;
export const ReplyIcon = (p: IconProps) => <Svg {...p} d="M9 14 4 9l5-5M4 9h10a6 6 0 0 1 6 6v4" />;
export const EditIcon = (p: IconProps) => <Svg {...p} d="M4 20h4L19 9l-4-4L4 16v4zM14 6l4 4" />;
export const TrashIcon = (p: IconProps) => <Svg {...p} d="M4 7h16M10 11v6M14 11v6M6 7l1 13h10l1-13M9 7V4h6v3" />;
export const CloseIcon = (p: IconProps) => <Svg {...p} d="M6 6l12 12M18 6 6 18" />;
export const SmileIcon = (p: IconProps) => <Svg {...p} d="M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18zM8.5 14a4 4 0 0 0 7 0M9 9.5h.01M15 9.5h.01" />;
export const PinIcon = (p: IconProps) => <Svg {...p} d="M9 4h6l-1 6 3 3H7l3-3zM12 13v7" />;
export const MenuIcon = (p: IconProps) => <Svg {...p} d="M4 6h16M4 12h16M4 18h16" />;
export const MembersIcon = (p: IconProps) => <Svg {...p} d="M9 11a4 4 0 1 0 0-8 4 4 0 0 0 0 8zM2 21v-1a6 6 0 0 1 12 0v1M16 3.5a4 4 0 0 1 0 7.5M22 21v-1a6 6 0 0 0-4-5.6" />;
export const LinkIcon = (p: IconProps) => <Svg {...p} d="M10 14a4 4 0 0 0 6 0l3-3a4 4 0 0 0-6-6l-1 1M14 10a4 4 0 0 0-6 0l-3 3a4 4 0 0 0 6 6l1-1" />;
