// The newest page of a room asked for before its pane exists (a cold load
// of /g/:gid/r/:rid starts it next to the other first requests), handed
// to the pane so that it is not asked twice.

import type { Id } from '@/shared/api/types';
import { loadLatest } from './sync';

const inflight = new Map<Id, Promise<void>>();

/** Starts loading the newest page of a room now. */
export function prefetchRoom(roomId: Id): void {
  if (inflight.has(roomId)) return;
  const p = loadLatest(roomId);
  // The pane that takes it reports a failure; untaken, it is not an error.
  p.catch(() => undefined);
  inflight.set(roomId, p);
}

/** The prefetch of a room, once (later opens load as usual). */
export function takePrefetchedRoom(roomId: Id): Promise<void> | undefined {
  const p = inflight.get(roomId);
  inflight.delete(roomId);
  return p;
}
