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
export function bar(currentIn: number, totalIn: number, message: string | null | undefined): string {
  // Numbers as far as the server knows; made numbers again here, since they go into attributes.
  const current = Number(currentIn) || 0;
  const total = Number(totalIn) || 0;
  const share = total > 0 ? Math.min(1, current / total) : 0;
  return `<div class="bar" data-current="${current}" data-total="${total}"><i style="width:${(share * 100).toFixed(1)}%"></i><span>${h(barLabel(current, total, message))}</span></div>`;
}

/** The state as a coloured word. */
export function stateWord(state: string): string {
  return `<span class="state-${h(state)}">${h(state)}</span>`;
}

interface Drawn {
  readonly rows: Map<string, HTMLElement>;
  readonly items: Map<string, unknown>;
}

const drawnBodies = new WeakMap<HTMLElement, Drawn>();

/**
 * Keeps a table body's rows in step with `items`: a row whose item is the same object as last
 * time is left alone, a changed one is drawn again, and rows come in the items' order.
 */
export function syncRows<T>(body: HTMLElement, items: readonly T[], keyOf: (item: T) => string, draw: (item: T) => string): void {
  let drawn = drawnBodies.get(body);
  if (!drawn) {
    body.textContent = '';
    drawn = { rows: new Map(), items: new Map() };
    drawnBodies.set(body, drawn);
  }
  const left = new Set(drawn.rows.keys());
  let at = 0;
  for (const item of items) {
    const key = keyOf(item);
    let row = drawn.rows.get(key);
    if (!row) {
      row = document.createElement('tr');
      row.dataset.key = key;
      drawn.rows.set(key, row);
    }
    if (drawn.items.get(key) !== item) {
      row.innerHTML = draw(item);
      drawn.items.set(key, item);
    }
    left.delete(key);
    if (body.children[at] !== row) body.insertBefore(row, body.children[at] ?? null);
    at++;
  }
  for (const key of left) {
    drawn.rows.get(key)?.remove();
    drawn.rows.delete(key);
    drawn.items.delete(key);
  }
}

/**
 * Moves the progress bar of one drawn row to `item`'s progress without drawing the row again;
 * false when the row or its bar is not on the page (then draw it with {@link syncRows}).
 */
export function patchBar(body: HTMLElement, key: string, item: unknown, progress: { current: number; total: number; message: string | null }): boolean {
  const drawn = drawnBodies.get(body);
  if (!drawn) return false;
  const row = drawn.rows.get(key);
  // Not on the page (beyond the rows shown): nothing to move.
  if (!row) return true;
  const bar = row.querySelector<HTMLElement>('.bar');
  if (!bar) return false;
  const { current, total, message } = progress;
  const share = total > 0 ? Math.min(1, current / total) : 0;
  bar.dataset.current = String(current);
  bar.dataset.total = String(total);
  (bar.firstElementChild as HTMLElement).style.width = `${(share * 100).toFixed(1)}%`;
  (bar.lastElementChild as HTMLElement).textContent = barLabel(current, total, message);
  drawn.items.set(key, item);
  return true;
}

function barLabel(current: number, total: number, message: string | null | undefined): string {
  const share = total > 0 ? Math.min(1, current / total) : 0;
  return `${current}/${total}${total > 0 ? ` (${(share * 100).toFixed(0)}%)` : ''}${message ? ` ${message}` : ''}`;
}
