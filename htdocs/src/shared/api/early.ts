// The answers to the first screen's GETs that index.html's inline script
// sent before the bundle arrived: on a slow link they travel while the
// bundle downloads instead of after it has run (one round trip less).
// Each is taken once, by the request for exactly that URL, and what the
// start-up did not take is dropped so that no later request gets an old
// answer.

type EarlyAnswers = Record<string, Promise<Response>>;

declare global {
  interface Window {
    __ecEarly?: EarlyAnswers;
  }
}

function answers(): EarlyAnswers | undefined {
  return typeof window === 'undefined' ? undefined : window.__ecEarly;
}

/** The early answer for this URL (path and query as buildUrl writes
 * them), once; undefined when there is none. */
export function takeEarly(url: string): Promise<Response> | undefined {
  const early = answers();
  const p = early?.[url];
  if (p) delete early[url];
  return p;
}

/** Drops the early answers nobody took (called once the start-up's
 * requests have been made). */
export function dropEarly(): void {
  if (answers()) delete window.__ecEarly;
}
