// The text of a message (Markdown) with its mentions marked: `@username`, `@here`
// and `@everyone` as highlighted spans (more strongly when they mean the
// reader), `#room` as a link to that room of the group: the room the server
// resolved when the message was posted or edited (`message.rooms`, so a
// rename does not break the link), else the group's room of that name now.
// React elements only: the text never reaches innerHTML.

import { Link } from 'react-router-dom';
import type { ReactNode } from 'react';
import { useSelf } from '@/shared/api/auth';
import { useGroup } from '@/shared/api/groups';
import type { Id, Message } from '@/shared/api/types';
import { Markdown } from '@/shared/ui/markdown';
import { useViewStore } from './viewStore';

const TOKEN = /(^|[^A-Za-z0-9_@#-])([@#])([A-Za-z0-9_-]+)/g;

/** True when `text` mentions `username` (any case), @here or @everyone. */
export function mentionsUser(text: string, username: string): boolean {
  const me = username.toLowerCase();
  for (const m of text.matchAll(TOKEN)) {
    if (m[2] !== '@') continue;
    const name = m[3].toLowerCase();
    if (name === me || name === 'here' || name === 'everyone') return true;
  }
  return false;
}

/** Splits `text` into strings and marked mentions. */
export function renderMentions(text: string, selfName: string, roomOf: (name: string) => Id | null, groupId: Id | null): ReactNode[] {
  const out: ReactNode[] = [];
  const me = selfName.toLowerCase();
  let last = 0;
  for (const m of text.matchAll(TOKEN)) {
    const start = (m.index ?? 0) + m[1].length;
    const word = m[3];
    let node: ReactNode = null;
    if (m[2] === '@') {
      const lower = word.toLowerCase();
      const self = lower === me || lower === 'here' || lower === 'everyone';
      node = (
        <span key={start} className={self ? 'mention mention-self' : 'mention'} data-testid={self ? 'mention-self' : 'mention'}>
          @{word}
        </span>
      );
    } else {
      const roomId = roomOf(word);
      if (roomId !== null && groupId !== null)
        node = (
          <Link key={start} to={`/g/${groupId}/r/${roomId}`} className="mention room-mention" data-testid="room-mention">
            #{word}
          </Link>
        );
    }
    if (node === null) continue;
    if (start > last) out.push(text.slice(last, start));
    out.push(node);
    last = start + 1 + word.length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

type RoomRef = { id: Id; name: string };

/** The room a `#name` of a message means: the one stored with the message
 * under that name (any case), else the group's room called so now. */
export function roomResolver(stored: readonly RoomRef[] | undefined, current: readonly RoomRef[]): (name: string) => Id | null {
  return (name) => {
    const lower = name.toLowerCase();
    const hit = stored?.find((r) => r.name.toLowerCase() === lower) ?? current.find((r) => r.name.toLowerCase() === lower);
    return hit?.id ?? null;
  };
}

/** A message's text: Markdown (shared/ui/markdown), with the mentions of
 * its plain runs marked; `rooms` is the message's resolved `#room`s. */
export function MessageText({ text, rooms }: { text: string; rooms?: Message['rooms'] }) {
  const me = useSelf();
  const groupId = useViewStore((s) => s.groupId);
  const { data: group } = useGroup(text.includes('#') ? groupId : null);
  if (!text.includes('@') && !text.includes('#')) return <Markdown text={text} />;
  const roomOf = roomResolver(rooms, (group?.topics ?? []).flatMap((t) => t.rooms));
  return <Markdown text={text} renderText={(run) => renderMentions(run, me.username, roomOf, groupId)} />;
}
