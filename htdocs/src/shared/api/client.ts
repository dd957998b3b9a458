// The one API client of the SPA: fetch with cookies, JSON in and out, the
// API's error body turned into ApiError, and a hook for "not signed in".

import { takeEarly } from '@/shared/api/early';

export interface ApiErrorBody {
  error?: { code?: string; message?: string; fields?: Record<string, string> };
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly fields: Record<string, string>;
  readonly retryAfter: number | null;

  constructor(status: number, code: string, message: string, fields: Record<string, string> = {}, retryAfter: number | null = null) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.fields = fields;
    this.retryAfter = retryAfter;
  }
}

export function isApiError(e: unknown, status?: number): e is ApiError {
  return e instanceof ApiError && (status === undefined || e.status === status);
}

/** "15 minutes", "1 hour", "30 seconds": a wait in seconds, rounded up. */
export function humanDuration(seconds: number): string {
  const unit = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  if (seconds < 60) return unit(Math.max(1, Math.ceil(seconds)), 'second');
  if (seconds < 3600) return unit(Math.ceil(seconds / 60), 'minute');
  return unit(Math.ceil(seconds / 3600), 'hour');
}

/** How a field of the API is called in a sentence. */
const FIELD_NAMES: Record<string, string> = {
  old: 'Current password',
  new: 'New password',
  q: 'Search',
  full_name: 'Display name',
  default_status: 'Status',
  crop: 'Crop',
};

export function fieldLabel(field: string): string {
  const known = FIELD_NAMES[field];
  if (known) return known;
  const words = field.replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** A human sentence for any error thrown by the client: the server's
 * field messages when it gave some ("Current password is not your current
 * password"), a wait in words for a rate limit. */
export function errorMessage(e: unknown): string {
  if (e instanceof ApiError) {
    if (e.status === 429 && e.retryAfter) return `${e.message.replace(/[;,.]?\s*try (again )?later\.?\s*$/i, '').replace(/[.;]?\s*$/, '')} — try again in ${humanDuration(e.retryAfter)}.`;
    const fields = Object.entries(e.fields);
    // A why that is a sentence of its own ("Dates are written YYYY-MM-DD.")
    // stands alone; a phrase ("is not your current password") gets its field.
    if (fields.length > 0) return fields.map(([f, why]) => (/^[A-Z]/.test(why) ? why : `${fieldLabel(f)} ${why}`)).join('; ');
    return e.message;
  }
  if (e instanceof Error) return e.message;
  return 'Something went wrong';
}

type UnauthorizedHandler = () => void;
let onUnauthorized: UnauthorizedHandler | null = null;

/** Called whenever a request answers 401 (unless the request opted out). */
export function setUnauthorizedHandler(handler: UnauthorizedHandler | null): void {
  onUnauthorized = handler;
}

export interface RequestOptions {
  query?: Record<string, string | number | boolean | null | undefined>;
  body?: unknown;
  /** Don't call the 401 handler: the caller deals with 401 itself. */
  allow401?: boolean;
  signal?: AbortSignal;
}

export function buildUrl(path: string, query?: RequestOptions['query']): string {
  const base = path.startsWith('/api') ? path : `/api${path}`;
  if (!query) return base;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null || v === '') continue;
    params.set(k, String(v));
  }
  const qs = params.toString();
  return qs ? `${base}?${qs}` : base;
}

async function parseError(res: Response): Promise<ApiError> {
  let body: ApiErrorBody = {};
  try {
    body = (await res.json()) as ApiErrorBody;
  } catch {
    /* not JSON: keep the status text */
  }
  const ra = res.headers.get('Retry-After');
  return new ApiError(
    res.status,
    body.error?.code ?? `http_${res.status}`,
    body.error?.message ?? (res.statusText || `Request failed (${res.status})`),
    body.error?.fields ?? {},
    ra ? Number(ra) || null : null,
  );
}

export async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  let body: BodyInit | undefined;
  if (opts.body instanceof FormData) {
    body = opts.body; // the browser sets the multipart boundary
  } else if (opts.body !== undefined) {
    headers['Content-Type'] = 'application/json; charset=utf-8';
    body = JSON.stringify(opts.body);
  }
  const url = buildUrl(path, opts.query);
  // A start-up GET that index.html already sent (see early.ts).
  const early = method === 'GET' && !opts.signal ? takeEarly(url) : undefined;
  let res: Response;
  try {
    res = await (early ?? fetch(url, {
      method,
      headers,
      body,
      credentials: 'include',
      signal: opts.signal,
    }));
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e;
    throw new ApiError(0, 'network', 'Cannot reach the server');
  }
  if (!res.ok) {
    const err = await parseError(res);
    if (res.status === 401 && !opts.allow401 && onUnauthorized) onUnauthorized();
    throw err;
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

export const api = {
  get: <T>(path: string, opts?: RequestOptions) => request<T>('GET', path, opts),
  post: <T>(path: string, body?: unknown, opts?: RequestOptions) => request<T>('POST', path, { ...opts, body }),
  patch: <T>(path: string, body?: unknown, opts?: RequestOptions) => request<T>('PATCH', path, { ...opts, body }),
  put: <T>(path: string, body?: unknown, opts?: RequestOptions) => request<T>('PUT', path, { ...opts, body }),
  del: <T = void>(path: string, opts?: RequestOptions) => request<T>('DELETE', path, opts),
};

export interface CropRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Multipart image upload with the crop rectangle in pixels of the original. */
export function uploadImage<T>(path: string, file: Blob, crop: CropRect | null): Promise<T> {
  const form = new FormData();
  form.append('file', file);
  if (crop) {
    form.append('crop_x', String(Math.round(crop.x)));
    form.append('crop_y', String(Math.round(crop.y)));
    form.append('crop_w', String(Math.round(crop.width)));
    form.append('crop_h', String(Math.round(crop.height)));
  }
  return request<T>('POST', path, { body: form });
}
