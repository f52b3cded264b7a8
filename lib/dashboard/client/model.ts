/** What the page knows, kept from the server's snapshot and deltas. */
import type { WireDelta, WireDocket, WireMeta, WireOutcome, WireRow, WireSnapshot } from '../dashboard-wire';

const OUTCOMES_KEPT = 200;

/** One docket on the page. */
export interface DocketModel {
  readonly name: string;
  readonly rows: Map<string, WireRow>;
  outcomes: WireOutcome[];
  meta: WireMeta;
}

/** Everything the page shows, and what changed since it was last drawn. */
export class Model {
  readOnly = true;
  readonly dockets = new Map<string, DocketModel>();
  /** Something other than progress changed: lists are drawn again. */
  structural = true;
  /** Counts the snapshots taken in: the page's frame (one section per docket) is made again after each. */
  loads = 0;
  /** Progress reports taken in since the last frame (for the page's own latency figures). */
  readonly progressed: number[] = [];
  /** The rows whose progress alone changed since the last frame, by docket. */
  readonly moved = new Map<string, Set<string>>();

  load(snapshot: WireSnapshot): void {
    this.readOnly = snapshot.readOnly;
    this.dockets.clear();
    for (const d of snapshot.dockets) this.dockets.set(d.name, modelOf(d));
    this.structural = true;
    this.loads++;
  }

  apply(delta: WireDelta): void {
    const docket = this.dockets.get(delta.docket);
    if (!docket) return;
    switch (delta.type) {
      case 'row':
        docket.rows.set(delta.row.key, delta.row);
        this.structural = true;
        break;
      case 'progress': {
        const row = docket.rows.get(delta.key);
        if (row) {
          docket.rows.set(delta.key, { ...row, progress: delta.progress });
          let moved = this.moved.get(docket.name);
          if (!moved) this.moved.set(docket.name, (moved = new Set()));
          moved.add(delta.key);
        }
        this.progressed.push(delta.progress.updatedAt);
        break;
      }
      case 'gone':
        docket.rows.delete(delta.key);
        this.structural = true;
        break;
      case 'outcome':
        docket.outcomes = [delta.outcome, ...docket.outcomes.slice(0, OUTCOMES_KEPT - 1)];
        this.structural = true;
        break;
      case 'meta':
        docket.meta = delta.meta;
        this.structural = true;
        break;
    }
  }

  /** The running, queued and scheduled rows of a docket, each list in the order the page shows it. */
  lists(docket: DocketModel): { running: WireRow[]; queued: WireRow[]; scheduled: WireRow[] } {
    const running: WireRow[] = [];
    const queued: WireRow[] = [];
    const scheduled: WireRow[] = [];
    for (const row of docket.rows.values()) {
      if (row.state === 'running') running.push(row);
      else if (row.state === 'queued') queued.push(row);
      else if (row.state === 'scheduled') scheduled.push(row);
    }
    running.sort((a, b) => (a.startedAt ?? 0) - (b.startedAt ?? 0) || a.key.localeCompare(b.key));
    queued.sort((a, b) => a.when - b.when || a.key.localeCompare(b.key));
    scheduled.sort((a, b) => a.when - b.when || a.key.localeCompare(b.key));
    return { running, queued, scheduled };
  }
}

function modelOf(d: WireDocket): DocketModel {
  return { name: d.name, rows: new Map(d.rows.map((r) => [r.key, r])), outcomes: [...d.outcomes], meta: d.meta };
}
