/** Small DOM helpers of the page: escaping, times, progress bars. */

/** Text made safe for HTML. */
export function h(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** `0:42`, `12:05`, `1:02:03`. */
export function clock(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const pad = (n: number): string => String(n).padStart(2, '0');
  return s >= 3600 ? `${Math.floor(s / 3600)}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}` : `${Math.floor(s / 60)}:${pad(s % 60)}`;
}

/** A local date and time, to the second. */
export function dateTime(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** `in 0:42` or `3:10 ago`. */
export function relative(ms: number, now: number): string {
  return ms > now ? `in ${clock(ms - now + 999)}` : `${clock(now - ms)} ago`;
}

/** A progress bar with its figures and message. */
export function bar(current: number, total: number, message: string | null | undefined): string {
  const share = total > 0 ? Math.min(1, current / total) : 0;
  const label = `${current}/${total}${total > 0 ? ` (${(share * 100).toFixed(0)}%)` : ''}${message ? ` ${message}` : ''}`;
  return `<div class="bar" data-current="${current}" data-total="${total}"><i style="width:${(share * 100).toFixed(1)}%"></i><span>${h(label)}</span></div>`;
}

/** The state as a coloured word. */
export function stateWord(state: string): string {
  return `<span class="state-${h(state)}">${h(state)}</span>`;
}

/**
 * Keeps a table body's rows in step with `items`: a row whose item is the same object as last
 * time is left alone, a changed one is drawn again, and rows come in the items' order.
 */
export function syncRows<T>(body: HTMLElement, items: readonly T[], keyOf: (item: T) => string, draw: (item: T) => string): void {
  const byKey = new Map<string, HTMLElement>();
  for (const child of Array.from(body.children) as HTMLElement[]) {
    if (child.dataset.key !== undefined) byKey.set(child.dataset.key, child);
    else child.remove();
  }
  const drawn = rowItems.get(body) ?? new Map<string, unknown>();
  const next = new Map<string, unknown>();
  let at = 0;
  for (const item of items) {
    const key = keyOf(item);
    let row = byKey.get(key);
    if (!row) {
      row = document.createElement('tr');
      row.dataset.key = key;
    }
    if (drawn.get(key) !== item) row.innerHTML = draw(item);
    byKey.delete(key);
    next.set(key, item);
    if (body.children[at] !== row) body.insertBefore(row, body.children[at] ?? null);
    at++;
  }
  for (const row of byKey.values()) row.remove();
  rowItems.set(body, next);
}

const rowItems = new WeakMap<HTMLElement, Map<string, unknown>>();
