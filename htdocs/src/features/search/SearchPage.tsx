// /search — message search with the server's operators (from:, in:,
// before:, after:); a result opens the message in its room. Lazy-loaded.

import { useEffect, useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { useQuery } from '@tanstack/react-query';
import { api, errorMessage } from '@/shared/api/client';
import type { Page, SearchHit } from '@/shared/api/types';
import { senderOf } from '@/shared/api/types';
import { Avatar } from '@/shared/ui/Avatar';
import { formatDateTime } from '@/shared/ui/format';
import { useGroups } from '@/shared/api/groups';
import { parseSnippet, SEARCH_OPERATORS } from './snippet';

const PAGE = 25;

export default function SearchPage() {
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const groupId = params.get('group') ?? '';
  const offset = Number(params.get('offset') ?? 0) || 0;
  const [input, setInput] = useState(q);
  const { data: groups } = useGroups();
  useEffect(() => setInput(q), [q]);

  const { data, isFetching, error } = useQuery({
    queryKey: ['search', q, groupId, offset],
    queryFn: () => api.get<Page<SearchHit>>('/search/messages', { query: { q, group_id: groupId, limit: PAGE, offset } }),
    enabled: q.trim().length > 0,
  });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const next: Record<string, string> = { q: input.trim() };
    if (groupId) next.group = groupId;
    setParams(next);
  };

  return (
    <main className="page search" aria-label="Search messages">
      <header className="page-header">
        <h1>Search messages</h1>
      </header>
      <form className="search-form" role="search" onSubmit={submit}>
        <input
          type="search"
          className="search-input"
          aria-label="Search messages"
          placeholder="Search… e.g. hello from:alice in:home after:2024-01-01"
          data-testid="search-input"
          value={input}
          onChange={(e) => setInput(e.target.value)}
          autoFocus
        />
        <select
          aria-label="Group"
          value={groupId}
          onChange={(e) => {
            const next: Record<string, string> = { q };
            if (e.target.value) next.group = e.target.value;
            setParams(next);
          }}
        >
          <option value="">All my groups</option>
          {groups?.map((g) => (
            <option key={g.id} value={g.id}>
              {g.name}
            </option>
          ))}
        </select>
        <button type="submit" className="button" data-testid="search-submit">
          Search
        </button>
      </form>
      <p className="muted small">Operators: {SEARCH_OPERATORS.map((o) => <code key={o}>{o} </code>)}</p>
      {error && (
        <p className="form-error" role="alert">
          {errorMessage(error)}
        </p>
      )}
      <ul className="search-results" aria-busy={isFetching} data-testid="search-results">
        {data?.items.map((hit) => (
          <li key={hit.id}>
            <Link className="search-result" to={`/room/${hit.room_id}?m=${hit.id}`} data-testid="search-result" data-message-id={hit.id} data-room-id={hit.room_id}>
              <Avatar url={senderOf(hit).icon_url} name={senderOf(hit).full_name || senderOf(hit).username} size={32} />
              <span className="search-body">
                <span className="message-header">
                  <span className="message-author">{senderOf(hit).full_name || senderOf(hit).username}</span>
                  {hit.room_name && (
                    <span className="muted small" data-testid="search-result-where">
                      #{hit.room_name}
                      {hit.group_name ? ` · ${hit.group_name}` : ''}
                    </span>
                  )}
                  <time className="message-time">{formatDateTime(hit.created_at)}</time>
                </span>
                <span className="search-snippet">
                  {parseSnippet(hit.snippet ?? hit.text).map((p, i) => (p.mark ? <mark key={i}>{p.text}</mark> : <span key={i}>{p.text}</span>))}
                </span>
              </span>
            </Link>
          </li>
        ))}
      </ul>
      {q && data && data.items.length === 0 && <p className="pane-empty">No messages found.</p>}
      <div className="pager">
        {offset > 0 && (
          <button type="button" className="button secondary" onClick={() => setParams({ ...Object.fromEntries(params), offset: String(Math.max(0, offset - PAGE)) })}>
            Previous
          </button>
        )}
        {data?.has_more && (
          <button type="button" className="button secondary" onClick={() => setParams({ ...Object.fromEntries(params), offset: String(offset + PAGE) })}>
            Next
          </button>
        )}
      </div>
    </main>
  );
}
