// /directory — public groups by category, with search and join.

import { useEffect, useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, errorMessage } from '@/shared/api/client';
import { CATEGORIES, type Category, type Page, type PublicGroup } from '@/shared/api/types';
import { groupKey, groupsKey, joinGroup, useGroups } from '@/shared/api/groups';

const PAGE = 30;

export function DirectoryPage() {
  const [category, setCategory] = useState<Category | ''>('');
  const [input, setInput] = useState('');
  const [q, setQ] = useState('');
  const [offset, setOffset] = useState(0);
  const [error, setError] = useState('');
  const [joining, setJoining] = useState<number | null>(null);
  const { data: mine } = useGroups();
  const qc = useQueryClient();
  const navigate = useNavigate();

  // Search as you type, debounced.
  useEffect(() => {
    const t = setTimeout(() => {
      setQ(input.trim());
      setOffset(0);
    }, 250);
    return () => clearTimeout(t);
  }, [input]);

  const { data, isFetching, error: loadError } = useQuery({
    queryKey: ['public-groups', category, q, offset],
    queryFn: () => api.get<Page<PublicGroup>>('/public-groups', { query: { category, q, limit: PAGE, offset } }),
    placeholderData: keepPreviousData,
  });

  const memberOf = new Set((mine ?? []).map((g) => g.id));

  const join = async (g: PublicGroup) => {
    setJoining(g.id);
    setError('');
    try {
      const detail = await joinGroup(g.id);
      qc.setQueryData(groupKey(detail.id), detail);
      await qc.invalidateQueries({ queryKey: groupsKey });
      navigate(`/g/${detail.id}`);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setJoining(null);
    }
  };

  return (
    <main className="page directory" aria-label="Public groups">
      <header className="page-header">
        <h1>Discover groups</h1>
        <div className="directory-filters">
          <input
            type="search"
            className="search-input"
            placeholder="Search public groups"
            aria-label="Search public groups"
            data-testid="directory-search"
            value={input}
            onChange={(e) => setInput(e.target.value)}
          />
        </div>
        <div className="chips" role="group" aria-label="Category">
          {(['', ...CATEGORIES] as const).map((c) => (
            <button
              key={c || 'all'}
              type="button"
              className={category === c ? 'chip active' : 'chip'}
              aria-pressed={category === c}
              data-testid="directory-category"
              onClick={() => {
                setCategory(c);
                setOffset(0);
              }}
            >
              {c || 'All'}
            </button>
          ))}
        </div>
      </header>
      {(error || loadError) && (
        <p className="form-error" role="alert">
          {error || errorMessage(loadError)}
        </p>
      )}
      <ul className="directory-grid" aria-busy={isFetching}>
        {data?.items.map((g) => (
          <li key={g.id} className="directory-card" data-testid="directory-group" data-group-id={g.id}>
            <div className="directory-banner" style={g.wallpaper_url ? { backgroundImage: `url(${JSON.stringify(g.wallpaper_url)})` } : undefined} />
            <div className="directory-body">
              <h2>{g.name}</h2>
              <p className="muted small">{g.category}</p>
              <p className="directory-desc">{g.description}</p>
              <p className="muted small">
                <span className="dot online" aria-hidden="true" /> {g.online_count} online · {g.member_count} member{g.member_count === 1 ? '' : 's'}
              </p>
              {memberOf.has(g.id) ? (
                <button type="button" className="button secondary" onClick={() => navigate(`/g/${g.id}`)}>
                  Open
                </button>
              ) : (
                <button type="button" className="button" disabled={joining === g.id} onClick={() => join(g)} data-testid="directory-join" aria-label={`Join ${g.name}`}>
                  Join
                </button>
              )}
            </div>
          </li>
        ))}
      </ul>
      {data && data.items.length === 0 && <p className="pane-empty">No public groups found.</p>}
      <div className="pager">
        {offset > 0 && (
          <button type="button" className="button secondary" onClick={() => setOffset(Math.max(0, offset - PAGE))}>
            Previous
          </button>
        )}
        {data?.has_more && (
          <button type="button" className="button secondary" onClick={() => setOffset(offset + PAGE)}>
            Next
          </button>
        )}
      </div>
    </main>
  );
}
