// /directory — public groups by category, with search (the server's
// typo-tolerant /api/search/groups) and join; a card opens the group's
// preview; "Next" and "Previous" go back to the top.

import { useEffect, useRef, useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, errorMessage } from '@/shared/api/client';
import { CATEGORIES, type Category, type Page, type PublicGroup } from '@/shared/api/types';
import { groupKey, groupsKey, joinGroup, useGroups } from '@/shared/api/groups';
import { Avatar } from '@/shared/ui/Avatar';
import { Dialog } from '@/shared/ui/Dialog';
import './directory.css';

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
    // Words typed: the ranked, typo-tolerant search (it has no category
    // parameter: the chips narrow its page here); none: the directory.
    queryFn: async () => {
      if (!q) return api.get<Page<PublicGroup>>('/public-groups', { query: { category, limit: PAGE, offset } });
      const page = await api.get<Page<PublicGroup>>('/search/groups', { query: { q, limit: PAGE, offset } });
      return category ? { ...page, items: page.items.filter((g) => g.category === category) } : page;
    },
    placeholderData: keepPreviousData,
  });
  const [previewing, setPreviewing] = useState<PublicGroup | null>(null);
  const top = useRef<HTMLElement>(null);
  const goTo = (next: number) => {
    setOffset(next);
    // The page scrolls inside <main> (or the window, on a phone layout).
    top.current?.scrollTo?.({ top: 0 });
    window.scrollTo?.({ top: 0 });
  };

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
    <main className="page directory" aria-label="Public groups" ref={top} data-testid="directory">
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
              <button type="button" className="directory-open" onClick={() => setPreviewing(g)} data-testid="directory-preview-open" aria-label={`Preview ${g.name}`}>
                <Avatar url={g.icon_url} name={g.name} size={48} square testId="directory-icon" />
                <h2>{g.name}</h2>
              </button>
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
          <button type="button" className="button secondary" onClick={() => goTo(Math.max(0, offset - PAGE))} data-testid="directory-prev">
            Previous
          </button>
        )}
        {data?.has_more && (
          <button type="button" className="button secondary" onClick={() => goTo(offset + PAGE)} data-testid="directory-next">
            Next
          </button>
        )}
      </div>
      {previewing && (
        <Dialog title={previewing.name} onClose={() => setPreviewing(null)} testId="group-preview">
          <div className="group-preview">
            <div className="group-preview-banner" style={previewing.wallpaper_url ? { backgroundImage: `url(${JSON.stringify(previewing.wallpaper_url)})` } : undefined} />
            <div className="group-preview-head">
              <Avatar url={previewing.icon_url} name={previewing.name} size={72} square />
              <div>
                <h3>{previewing.name}</h3>
                <p className="muted small">
                  {previewing.category} · {previewing.online_count} online · {previewing.member_count} member{previewing.member_count === 1 ? '' : 's'}
                </p>
              </div>
            </div>
            {previewing.description && <p className="group-preview-desc">{previewing.description}</p>}
            <div className="dialog-actions">
              {memberOf.has(previewing.id) ? (
                <button type="button" className="button" onClick={() => navigate(`/g/${previewing.id}`)}>
                  Open
                </button>
              ) : (
                <button type="button" className="button" disabled={joining === previewing.id} onClick={() => join(previewing)} data-testid="group-preview-join">
                  Join {previewing.name}
                </button>
              )}
            </div>
          </div>
        </Dialog>
      )}
    </main>
  );
}
