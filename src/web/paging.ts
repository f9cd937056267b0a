/** Page numbers from query strings and the "newer / older" links under a table. */

export const PAGE_SIZE = 50;
/** Pages are cut from the newest rows; the repositories return at most this many. */
export const MAX_ROWS = 10_000;

export function pageNumber(value: unknown): number {
  const n = Number(value);
  return Number.isInteger(n) && n >= 1 ? Math.min(n, MAX_ROWS / PAGE_SIZE) : 1;
}

export interface Pager {
  page: number;
  prev: string | null;
  next: string | null;
  total: number | null;
  pages: number | null;
}

/** `query` are the other parameters to keep (filters); empty values are dropped. */
export function pager(base: string, page: number, opts: { total?: number; hasMore?: boolean; query?: Record<string, string | undefined> }): Pager {
  const link = (p: number) => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(opts.query ?? {})) if (v) q.set(k, v);
    if (p > 1) q.set('page', String(p));
    const s = q.toString();
    return s ? `${base}?${s}` : base;
  };
  const pages = opts.total === undefined ? null : Math.max(1, Math.ceil(opts.total / PAGE_SIZE));
  const hasMore = pages !== null ? page < pages : Boolean(opts.hasMore);
  return { page, prev: page > 1 ? link(page - 1) : null, next: hasMore ? link(page + 1) : null, total: opts.total ?? null, pages };
}

/** A page out of a newest-first `recent(limit)` list: stable because ids only grow. */
export function slicePage<T>(recent: (limit: number) => T[], page: number): { rows: T[]; hasMore: boolean } {
  const all = recent(Math.min(page * PAGE_SIZE + 1, MAX_ROWS));
  return { rows: all.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE), hasMore: all.length > page * PAGE_SIZE };
}
