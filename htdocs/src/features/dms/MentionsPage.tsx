// /mentions — the messages that mention me, newest first, each a link to
// the message in its room or conversation.

import { useState } from 'react';
import { Link } from 'react-router-dom';
import { fetchMentions, useMentions, type Mention } from '@/shared/api/dms';
import { senderOf } from '@/shared/api/types';
import { formatDateTime } from '@/shared/ui/format';

function href(m: Mention): string {
  return m.is_dm ? `/dm/${m.group_id}?m=${m.message.id}` : `/g/${m.group_id}/r/${m.message.room_id}?m=${m.message.id}`;
}

export default function MentionsPage() {
  const { data, isLoading, error } = useMentions();
  const [more, setMore] = useState<Mention[]>([]);
  const [hasMore, setHasMore] = useState<boolean | null>(null);
  const items = [...(data?.items ?? []), ...more];
  const canLoad = hasMore ?? data?.has_more ?? false;

  const loadMore = async () => {
    const last = items.at(-1);
    if (!last) return;
    const page = await fetchMentions(last.message.id);
    setMore((m) => [...m, ...page.items]);
    setHasMore(page.has_more);
  };

  return (
    <main className="chat-pane mentions-page" aria-label="Mentions" data-testid="mentions-page">
      <header className="pane-header">
        <h2 className="pane-title">Mentions</h2>
      </header>
      <div className="mentions-scroll">
        {isLoading && <p className="muted pad">Loading…</p>}
        {error && <p className="muted pad" role="alert">Could not load your mentions.</p>}
        {data && items.length === 0 && <p className="muted pad">Nobody mentioned you yet.</p>}
        <ul className="mention-list">
          {items.map((m) => {
            const s = senderOf(m.message);
            return (
              <li key={m.message.id} className={m.unread ? 'mention-entry unread' : 'mention-entry'} data-testid="mention-item" data-message-id={m.message.id}>
                <Link to={href(m)} className="mention-link">
                  <span className="message-author">{s.full_name || s.username}</span>{' '}
                  <time className="message-time" dateTime={m.message.created_at}>
                    {formatDateTime(m.message.created_at)}
                  </time>
                  {m.is_dm && <span className="muted"> · direct message</span>}
                  <span className="mention-text">{m.message.text}</span>
                </Link>
              </li>
            );
          })}
        </ul>
        {canLoad && (
          <button type="button" className="button" onClick={() => void loadMore()}>
            Older mentions
          </button>
        )}
      </div>
    </main>
  );
}
