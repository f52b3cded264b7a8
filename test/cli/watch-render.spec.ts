import { ExecutionState, type ExecutionEvent } from '../../lib';
import { renderProgressBar } from '../../lib/cli/render/progress-bar';
import { ansiStyle, truncate, visibleLength } from '../../lib/cli/render/style';
import { applyWatchEvent, type WatchView } from '../../lib/cli/render/watch-view';
import { renderWatchHeader, renderWatchLine, renderWatchView } from '../../lib/cli/render/watch.render';

const t = (h: number, m: number, s: number): Date => new Date(2025, 0, 15, h, m, s);

const queued: WatchView = { key: 'k1', docket: 'emails', task: 'importRecords', state: ExecutionState.QUEUED, when: t(10, 30, 0) };
const running: WatchView = {
  ...queued,
  state: ExecutionState.RUNNING,
  worker: 'worker-1',
  startedAt: t(10, 30, 5),
  progress: { current: 60, total: 100, message: 'Processing records...', updatedAt: t(10, 30, 15) },
};

describe('renderProgressBar', () => {
  it.each([
    [60, 100, '[████████████░░░░░░░░] 60/100 (60.0%)'],
    [0, 100, '[░░░░░░░░░░░░░░░░░░░░] 0/100 (0.0%)'],
    [99, 100, '[███████████████████░] 99/100 (99.0%)'],
    [100, 100, '[████████████████████] 100/100 (100.0%)'],
    [1, 3, '[██████░░░░░░░░░░░░░░] 1/3 (33.3%)'],
    [0, 0, '[░░░░░░░░░░░░░░░░░░░░] 0/0 (0.0%)'],
    [150, 100, '[████████████████████] 150/100 (150.0%)'],
  ])('renders %d/%d', (current, total, text) => {
    expect(renderProgressBar(current, total)).toBe(text);
  });
});

describe('renderWatchView', () => {
  it('shows how a recurring run repeats, how the run before it ended, and once it ends when the next is due', () => {
    const recurring: WatchView = { ...running, recurrence: 'every 60000 ms', lastOutcome: { state: ExecutionState.FAILED, at: t(10, 29, 5) } };
    const done: WatchView = { ...recurring, state: ExecutionState.COMPLETED, completedAt: t(10, 30, 20), nextRun: t(10, 31, 20) };
    const view = renderWatchView(done, t(10, 30, 20));
    expect(view[0]).toBe('Task: importRecords  Key: k1  Docket: emails  Repeats: every 60000 ms');
    expect(view[1]).toBe('Last run: failed 1:15 ago');
    expect(view.at(-1)).toBe('Next run: due 2025-01-15 10:31:20 (in 1:00)');
    expect(renderWatchView({ ...done, nextRun: null }, t(10, 30, 20)).at(-1)).toBe('Next run: none (the chain ended)');
    // Not yet read: no line rather than a wrong one.
    expect(renderWatchView({ ...done, nextRun: undefined }, t(10, 30, 20)).join('\n')).not.toContain('Next run');
  });

  it('shows a running execution as in the observability guide', () => {
    expect(renderWatchView(running, t(10, 30, 17))).toEqual([
      'Task: importRecords  Key: k1  Docket: emails',
      'State: RUNNING (worker-1)',
      'Started: 2025-01-15 10:30:05',
      'Elapsed: 0:12',
      '',
      'Progress: [████████████░░░░░░░░] 60/100 (60.0%)',
      'Message: Processing records...',
      'Updated: 2025-01-15 10:30:15 (2.0s ago)',
    ]);
  });

  it('is a pure function of the view and the time: only the clocks move', () => {
    const later = renderWatchView(running, t(10, 31, 15));
    expect(later).toContain('Elapsed: 1:10');
    expect(later).toContain('Updated: 2025-01-15 10:30:15 (1:00 ago)');
    expect(renderWatchView(running, t(10, 31, 15))).toEqual(later);
  });

  it('shows when a scheduled execution is due', () => {
    const scheduled: WatchView = { ...queued, state: ExecutionState.SCHEDULED, when: t(10, 35, 0) };
    expect(renderWatchView(scheduled, t(10, 30, 0))).toEqual([
      'Task: importRecords  Key: k1  Docket: emails',
      'State: SCHEDULED',
      'Due: 2025-01-15 10:35:00 (in 5:00)',
    ]);
  });

  it('ends with the outcome, the finish time and the error of a failure', () => {
    const failed: WatchView = { ...running, state: ExecutionState.FAILED, completedAt: t(10, 30, 20), error: 'TypeError: bad record' };
    expect(renderWatchView(failed, t(11, 0, 0))).toEqual([
      'Task: importRecords  Key: k1  Docket: emails',
      'State: FAILED (worker-1)',
      'Started: 2025-01-15 10:30:05',
      'Finished: 2025-01-15 10:30:20',
      'Elapsed: 0:15',
      '',
      'Progress: [████████████░░░░░░░░] 60/100 (60.0%)',
      'Message: Processing records...',
      'Updated: 2025-01-15 10:30:15',
      '',
      'Outcome: ✗ failed after 0:15',
      'Error: TypeError: bad record',
    ]);
  });

  it('says when a cancelled execution never started', () => {
    const cancelled: WatchView = { ...queued, state: ExecutionState.CANCELLED, completedAt: t(10, 30, 1) };
    expect(renderWatchView(cancelled, t(10, 31, 0)).slice(-1)).toEqual(['Outcome: ⊘ cancelled before it started']);
  });

  it('colours the state on a terminal and cuts lines to the screen width', () => {
    const lines = renderWatchView({ ...running, progress: { ...running.progress!, message: 'x'.repeat(200) } }, t(10, 30, 17), { style: ansiStyle, width: 40 });
    expect(lines[1]).toContain('\x1b[34mRUNNING\x1b[39m');
    for (const line of lines) expect(visibleLength(line)).toBeLessThanOrEqual(40);
    expect(lines.find((l) => l.includes('xxx'))).toMatch(/x…\x1b\[0m$/);
  });
});

describe('renderWatchLine and applyWatchEvent', () => {
  const now = t(10, 30, 16);
  const progress: ExecutionEvent = { type: 'progress', key: 'k1', seq: 5, current: 60, total: 100, message: 'Processing records...', updatedAt: now };

  it('folds events into the view, keeping what a state event does not mention', () => {
    const started = applyWatchEvent(queued, { type: 'state', key: 'k1', seq: 3, state: ExecutionState.RUNNING, worker: 'worker-1', startedAt: t(10, 30, 5) });
    const done = applyWatchEvent(applyWatchEvent(started, progress), { type: 'state', key: 'k1', seq: 6, state: ExecutionState.COMPLETED, completedAt: t(10, 30, 20) });
    expect(done).toEqual({ ...running, progress: { ...running.progress, updatedAt: now }, state: ExecutionState.COMPLETED, completedAt: t(10, 30, 20) });
  });

  it('shows a retry waiting with its attempt and last error, and no worker, until an attempt completes', () => {
    const retry = { type: 'state', key: 'k1', seq: 7, state: ExecutionState.SCHEDULED, when: t(10, 31, 0), error: 'Error: timed out', attempt: 2 } as const;
    const waiting = applyWatchEvent(running, retry);
    expect(waiting).toMatchObject({ state: ExecutionState.SCHEDULED, attempt: 2, error: 'Error: timed out' });
    expect(waiting.worker).toBeUndefined();
    expect(waiting.startedAt).toBeUndefined();
    expect(renderWatchView(waiting, t(10, 30, 30))).toEqual(
      expect.arrayContaining(['State: SCHEDULED', 'Due: 2025-01-15 10:31:00 (in 0:30)', 'Attempt: 2', 'Last error: Error: timed out']),
    );
    expect(renderWatchLine(waiting, retry, t(10, 30, 30))).toBe(
      '2025-01-15 10:30:30 SCHEDULED due 2025-01-15 10:31:00 (in 0:30) for attempt 2 after: Error: timed out',
    );
    const done = applyWatchEvent(
      applyWatchEvent(waiting, { type: 'state', key: 'k1', seq: 9, state: ExecutionState.RUNNING, worker: 'worker-2', startedAt: t(10, 31, 1), attempt: 2 }),
      { type: 'state', key: 'k1', seq: 10, state: ExecutionState.COMPLETED, completedAt: t(10, 31, 3), attempt: 2 },
    );
    expect(done).toMatchObject({ worker: 'worker-2', attempt: 2 });
    expect(done.error).toBeUndefined();
    expect(renderWatchView(done, t(10, 31, 3)).join('\n')).not.toMatch(/error/i);
  });

  it('shows a run parked by a concurrency limit as waiting for a place, not as due', () => {
    const parked = { type: 'state', key: 'k1', seq: 3, state: ExecutionState.SCHEDULED, when: t(10, 35, 0), waitingFor: 'importRecords' } as const;
    const waiting = applyWatchEvent(running, parked);
    expect(renderWatchView(waiting, now)).toEqual(expect.arrayContaining(['State: SCHEDULED', 'Waiting: for a place of the concurrency limit "importRecords"']));
    expect(renderWatchView(waiting, now).join('\n')).not.toMatch(/Due:/);
    expect(renderWatchLine(waiting, parked, now)).toBe('2025-01-15 10:30:16 SCHEDULED waiting for a place of the concurrency limit "importRecords"');
    const woken = applyWatchEvent(waiting, { type: 'state', key: 'k1', seq: 4, state: ExecutionState.QUEUED, when: now });
    expect(woken.waitingFor).toBeUndefined();
  });

  it('shows a run held by a rate limit, or put back for a worker with its task, as such, with when it is due', () => {
    const held = { type: 'state', key: 'k1', seq: 3, state: ExecutionState.SCHEDULED, when: t(10, 30, 20), waitingFor: 'rate limit importRecords' } as const;
    const waiting = applyWatchEvent(running, held);
    expect(renderWatchView(waiting, now)).toEqual(expect.arrayContaining(['Waiting: for rate limit importRecords, due 2025-01-15 10:30:20 (in 0:04)']));
    expect(renderWatchLine(waiting, held, now)).toBe('2025-01-15 10:30:16 SCHEDULED waiting for rate limit importRecords until 2025-01-15 10:30:20 (in 0:04)');
    const putBack = { ...held, seq: 4, waitingFor: 'a worker with task "importRecords"' } as const;
    expect(renderWatchLine(applyWatchEvent(running, putBack), putBack, now)).toMatch(/SCHEDULED waiting for a worker with task "importRecords" until /);
  });

  it('writes one plain line per event', () => {
    expect(renderWatchHeader(queued)).toBe('Task: importRecords  Key: k1  Docket: emails');
    expect(renderWatchLine(queued, { type: 'state', key: 'k1', seq: 1, state: ExecutionState.QUEUED }, now)).toBe('2025-01-15 10:30:16 QUEUED');
    expect(renderWatchLine(running, { type: 'state', key: 'k1', seq: 2, state: ExecutionState.RUNNING }, now)).toBe('2025-01-15 10:30:16 RUNNING on worker-1');
    expect(renderWatchLine(running, progress, now)).toBe('2025-01-15 10:30:16 PROGRESS [████████████░░░░░░░░] 60/100 (60.0%) Processing records...');
    const completed: WatchView = { ...running, state: ExecutionState.COMPLETED, completedAt: t(10, 31, 5) };
    expect(renderWatchLine(completed, { type: 'state', key: 'k1', seq: 9, state: ExecutionState.COMPLETED }, t(10, 31, 5))).toBe(
      '2025-01-15 10:31:05 COMPLETED ✓ completed in 1:00',
    );
    const scheduled: WatchView = { ...queued, state: ExecutionState.SCHEDULED, when: t(10, 31, 0) };
    expect(renderWatchLine(scheduled, { type: 'state', key: 'k1', seq: 1, state: ExecutionState.SCHEDULED }, t(10, 30, 0))).toBe(
      '2025-01-15 10:30:00 SCHEDULED due 2025-01-15 10:31:00 (in 1:00)',
    );
  });
});

describe('truncate', () => {
  it('leaves short lines alone and cuts long ones with an ellipsis', () => {
    expect(truncate('abc', 5)).toBe('abc');
    expect(truncate('abcdef', 4)).toBe('abc…');
  });

  it('counts only visible characters and keeps escape sequences whole', () => {
    const red = ansiStyle('abcdef', 'red');
    expect(truncate(red, 10)).toBe(red);
    expect(truncate(red, 4)).toBe('\x1b[31mabc…\x1b[0m');
  });
});
