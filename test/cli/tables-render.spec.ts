import { ExecutionState, type DocketSnapshot } from '../../lib';
import { renderSnapshot } from '../../lib/cli/render/snapshot.render';
import { renderTable } from '../../lib/cli/render/table';
import { renderWorkers } from '../../lib/cli/render/workers.render';

const now = new Date(2025, 0, 15, 10, 30, 0);
const ago = (ms: number): Date => new Date(now.getTime() - ms);

describe('renderTable', () => {
  it('pads columns to their widest cell and aligns numbers right', () => {
    expect(renderTable([{ title: 'Task' }, { title: 'Total', align: 'right' }], [['trace', '3'], ['sleep', '12']])).toEqual([
      'Task   Total',
      '─────  ─────',
      'trace      3',
      'sleep     12',
    ]);
  });
});

describe('renderSnapshot', () => {
  const snapshot: DocketSnapshot = {
    takenAt: now,
    running: [{ key: 'r1', task: 'import', state: ExecutionState.RUNNING, when: ago(5_000), worker: 'w1', startedAt: ago(4_000), progress: { current: 3, total: 10, message: 'row 3' } }],
    queued: [{ key: 'q1', task: 'email', state: ExecutionState.QUEUED, when: ago(1_500) }],
    scheduled: [{ key: 's1', task: 'email', state: ExecutionState.SCHEDULED, when: new Date(now.getTime() + 90_000) }],
    workers: [{ name: 'w1', lastSeen: ago(500), tasks: ['email', 'import'] }],
    streamLength: 2,
    queueLength: 1,
    quarantined: 0,
  };

  it('lists running, then queued, then scheduled executions', () => {
    expect(renderSnapshot(snapshot, 'orders', now)).toEqual([
      'Docket "orders" as of 2025-01-15 10:30:00',
      '1 worker, 1 running, 1 queued, 1 scheduled',
      '',
      'When      State      Task    Key  Worker  Started   Progress',
      `────────  ─────────  ──────  ───  ──────  ────────  ${'─'.repeat('[███░░░░░░░] 3/10 (30.0%) row 3'.length)}`,
      '5.0s ago  RUNNING    import  r1   w1      4.0s ago  [███░░░░░░░] 3/10 (30.0%) row 3',
      '1.5s ago  QUEUED     email   q1',
      'in 1:30   SCHEDULED  email   s1',
    ]);
  });

  it('shows a run parked by a concurrency limit as waiting for it, not by its due time', () => {
    const parked = { key: 's2', task: 'sync', state: ExecutionState.SCHEDULED, when: new Date(now.getTime() + 60_000), waitingFor: 'sync:acme' };
    const lines = renderSnapshot({ ...snapshot, scheduled: [...snapshot.scheduled, parked] }, 'orders', now);
    expect(lines.at(-1)).toMatch(/^waiting for "sync:acme"\s+SCHEDULED\s+sync\s+s2$/);
  });

  it('shows a perpetual or cron run with how it repeats and how the run before it ended', () => {
    const next = { key: 'digest', task: 'digest', state: ExecutionState.SCHEDULED, when: new Date(now.getTime() + 60_000), recurrence: 'every 60000 ms', lastOutcome: { state: ExecutionState.FAILED, at: ago(2_000) } };
    const lines = renderSnapshot({ ...snapshot, scheduled: [next] }, 'orders', now);
    expect(lines.at(-1)).toMatch(/^in 1:00\s+SCHEDULED\s+digest ↻ every 60000 ms, last failed 2.0s ago\s+digest$/);
  });

  it('counts executions per task with --stats, the busiest first', () => {
    expect(renderSnapshot(snapshot, 'orders', now, { stats: true }).slice(-5)).toEqual([
      'Executions per task',
      'Task    Total  Running  Queued  Scheduled',
      '──────  ─────  ───────  ──────  ─────────',
      'email       2        0       1          1',
      'import      1        1       0          0',
    ]);
  });

  it('says so when the docket is idle', () => {
    const idle = { ...snapshot, running: [], queued: [], scheduled: [], workers: [] };
    expect(renderSnapshot(idle, 'orders', now)).toEqual([
      'Docket "orders" as of 2025-01-15 10:30:00',
      '0 workers, 0 running, 0 queued, 0 scheduled',
      '',
      'Nothing is running, queued or scheduled.',
    ]);
  });
});

describe('renderWorkers', () => {
  it('lists workers newest first with last-seen age, concurrency and tasks', () => {
    const workers = [
      { name: 'old', lastSeen: ago(3_000), tasks: [], concurrency: 1 },
      { name: 'new', lastSeen: ago(200), tasks: ['sleep', 'fail', 'trace'], concurrency: 10 },
    ];
    expect(renderWorkers(workers, 'orders', now)).toEqual([
      'Workers in docket "orders": 2',
      '',
      'Name  Last seen  Concurrency  Tasks',
      '────  ─────────  ───────────  ──────────────────',
      'new   200ms ago           10  fail, sleep, trace',
      'old   3.0s ago             1  (none)',
    ]);
  });

  it('says so when none is alive', () => {
    expect(renderWorkers([], 'orders', now, { task: 'email' })).toEqual(['No live workers running task "email" in docket "orders".']);
  });
});
