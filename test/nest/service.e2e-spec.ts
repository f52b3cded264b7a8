import { Injectable } from '@nestjs/common';
import type { TestingModule } from '@nestjs/testing';
import { Cancellation, CurrentExecution, Disposition, DocketModule, DocketService, ExecutionState, Task, TaskTimeoutError, Worker, type Execution, type ExecutionEvent } from 'nestjs-docket';
import { dropDocket, leakedKeys, redisUrl, uniqueName, waitUntil } from '../support/docket-test';
import { bootModule, CapturingLogger } from './nest-test';

@Injectable()
class ReportTasks {
  @Task()
  async build(id: number): Promise<{ id: number; pages: number }> {
    return { id, pages: id * 10 };
  }

  @Task({ timeout: 50 })
  async hang(@Cancellation() signal: AbortSignal): Promise<void> {
    await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
  }

  static going = 0;
  static most = 0;

  @Task({ concurrency: 1 })
  async exclusive(n: number): Promise<number> {
    ReportTasks.most = Math.max(ReportTasks.most, ++ReportTasks.going);
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    ReportTasks.going--;
    return n;
  }

  @Task({ retry: { attempts: 2 } })
  async fetchOnce(url: string, @CurrentExecution() execution: Execution): Promise<string> {
    if (execution.attempt === 1) throw new Error(`${url} timed out`);
    return `${url} fetched on attempt ${execution.attempt}`;
  }
}

describe('DocketService', () => {
  let app: TestingModule;
  let service: DocketService;
  let tasks: ReportTasks;

  beforeEach(async () => {
    // No worker in the app: the tests decide when work runs.
    app = await bootModule({
      imports: [DocketModule.forRoot({ name: uniqueName('service'), url: redisUrl(), worker: false })],
      providers: [ReportTasks],
    });
    service = app.get(DocketService);
    tasks = app.get(ReportTasks);
  });

  afterEach(async () => {
    await app.close();
    expect(await leakedKeys(service.docket)).toEqual([]);
    await dropDocket(service.docket);
  });

  it('retries a @Task({ retry }) method that throws', async () => {
    const execution = await service.add(tasks.fetchOnce)('https://example.test/a');
    await new Worker(service.docket).runUntilFinished();
    await expect(execution.getResult()).resolves.toBe('https://example.test/a fetched on attempt 2');
  });

  it('runs a @Task({ concurrency }) method at most that many at once', async () => {
    const executions = await Promise.all([1, 2, 3, 4].map((n) => service.add(tasks.exclusive)(n)));
    await new Worker(service.docket, { concurrency: 4 }).runUntilFinished();
    await expect(Promise.all(executions.map((e) => e.getResult()))).resolves.toEqual([1, 2, 3, 4]);
    expect(ReportTasks.most).toBe(1);
  });

  it('strikes a @Task method by reference, or its calls by a caller parameter (injected ones are not parameters)', async () => {
    expect(await service.strike({ task: 'fetchOnce', parameter: 'url', value: 'https://blocked.test' })).toBe(true);
    expect(await service.strike(tasks.build)).toBe(true);
    expect((await service.add(tasks.fetchOnce)('https://blocked.test')).disposition).toBe(Disposition.STRUCK);
    expect((await service.add(tasks.build)(1)).disposition).toBe(Disposition.STRUCK);
    expect((await service.strikes()).map((s) => s.task)).toEqual(['build', 'fetchOnce']);
    expect(await service.restore(tasks.build)).toBe(true);
    expect(await service.restore({ task: 'fetchOnce', parameter: 'url', value: 'https://blocked.test' })).toBe(true);
    const execution = await service.add(tasks.build)(2);
    await new Worker(service.docket).runUntilFinished();
    await expect(execution.getResult()).resolves.toEqual({ id: 2, pages: 20 });
  });

  it('times out a @Task({ timeout }) method past its time, aborting its signal', async () => {
    const execution = await service.add(tasks.hang)();
    await new Worker(service.docket).runUntilFinished();
    await expect(execution.getResult()).rejects.toBeInstanceOf(TaskTimeoutError);
  });

  it('adds, replaces, reads, snapshots and cancels', async () => {
    const later = new Date(Date.now() + 60 * 60_000);
    const first = await service.add(tasks.build, { key: 'report-1', when: later })(1);
    expect(first).toMatchObject({ key: 'report-1', state: ExecutionState.SCHEDULED, disposition: Disposition.SCHEDULED });
    const again = await service.add(tasks.build, { key: 'report-1' })(1);
    expect(again.disposition).toBe(Disposition.ALREADY_SCHEDULED);
    const replaced = await service.replace(tasks.build, { key: 'report-1', when: later })(2);
    expect(replaced.disposition).toBe(Disposition.REPLACED);
    expect((await service.getExecution('report-1'))?.args).toEqual([2]);
    const queued = await service.add('build')(3);

    const snapshot = await service.snapshot();
    expect(snapshot.scheduled.map((e) => e.key)).toEqual(['report-1']);
    expect(snapshot.queued.map((e) => e.key)).toEqual([queued.key]);

    expect(await service.cancel('report-1')).toBe('cancelled');
    expect(await service.cancel(queued.key)).toBe('cancelled');
    expect((await service.getExecution('report-1'))?.state).toBe(ExecutionState.CANCELLED);
    expect(await service.getExecution('never-added')).toBeNull();
  });

  it('emits every execution event of the docket on events$, for dashboards', async () => {
    const events: ExecutionEvent[] = [];
    const subscription = service.events$.subscribe((e) => events.push(e));
    // events$ has no snapshot: replace a probe until its events arrive, then the stream is live.
    await waitUntil(async () => {
      await service.replace(tasks.build, { key: 'probe', delay: 60_000 })(0);
      return events.some((e) => e.key === 'probe');
    }, 'events$ is live');
    await service.cancel('probe');

    const first = await service.add(tasks.build)(1);
    const second = await service.add(tasks.build)(2);
    const worker = new Worker(service.docket, { logger: new CapturingLogger() });
    await worker.runUntilFinished();
    await expect(first.getResult({ timeout: 10_000 })).resolves.toEqual({ id: 1, pages: 10 });
    await expect(second.getResult({ timeout: 10_000 })).resolves.toEqual({ id: 2, pages: 20 });
    const states = (key: string): string[] => events.filter((e) => e.key === key && e.type === 'state').map((e) => (e.type === 'state' ? e.state : ''));
    await waitUntil(() => states(second.key).includes(ExecutionState.COMPLETED), 'the last event arrives');
    subscription.unsubscribe();
    expect(states(first.key)).toEqual([ExecutionState.QUEUED, ExecutionState.RUNNING, ExecutionState.COMPLETED]);
    expect(states(second.key)).toEqual([ExecutionState.QUEUED, ExecutionState.RUNNING, ExecutionState.COMPLETED]);
  });
});
