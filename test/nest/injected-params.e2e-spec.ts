import { Injectable, type LoggerService } from '@nestjs/common';
import type { TestingModule } from '@nestjs/testing';
import {
  Cancellation,
  CurrentDocket,
  CurrentExecution,
  DocketModule,
  DocketService,
  Execution,
  ExecutionCancelledError,
  ExecutionProgress,
  ExecutionState,
  Logged,
  Progress,
  Task,
  TaskKey,
  TaskLogger,
} from 'nestjs-docket';
import { dropDocket, leakedKeys, redisUrl, uniqueName, waitUntil } from '../support/docket-test';
import { bootModule, CapturingLogger } from './nest-test';

interface Seen {
  progress: ExecutionProgress;
  docket: DocketService;
  execution: Execution;
  key: TaskKey;
  signal: AbortSignal;
}

@Injectable()
class ProbeTasks {
  seen?: Seen;
  abortReason?: unknown;

  @Task()
  async probe(
    @Logged() label: string,
    @Progress() progress: ExecutionProgress,
    @TaskLogger() logger: LoggerService,
    @CurrentDocket() docket: DocketService,
    @CurrentExecution() execution: Execution,
    @TaskKey() key: TaskKey,
    @Cancellation() signal: AbortSignal,
    suffix = 'default',
  ): Promise<string> {
    this.seen = { progress, docket, execution, key, signal };
    logger.log(`working on ${label}`);
    logger.warn('a warning');
    await progress.setTotal(2);
    await progress.increment(2);
    await progress.setMessage('done');
    return `${label}-${suffix}`;
  }

  @Task()
  async waitForCancel(@Cancellation() signal: AbortSignal): Promise<void> {
    await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    this.abortReason = signal.reason;
  }
}

describe('injected task parameters', () => {
  let app: TestingModule;
  let service: DocketService;
  let tasks: ProbeTasks;
  const logger = new CapturingLogger();

  beforeAll(async () => {
    app = await bootModule({ imports: [DocketModule.forRoot({ name: uniqueName('params'), url: redisUrl() })], providers: [ProbeTasks] }, logger);
    service = app.get(DocketService);
    tasks = app.get(ProbeTasks);
  });

  afterAll(async () => {
    await app.close();
    expect(await leakedKeys(service.docket)).toEqual([]);
    await dropDocket(service.docket);
  });

  it('passes the caller only its own arguments and injects the rest at their positions', async () => {
    const execution = await service.add(tasks.probe)('order-1', 'custom');
    await expect(execution.getResult({ timeout: 10_000 })).resolves.toBe('order-1-custom');
    const defaulted = await service.add(tasks.probe)('order-2');
    await expect(defaulted.getResult({ timeout: 10_000 })).resolves.toBe('order-2-default');
  });

  it('injects progress, docket, execution, key and signal of the running execution', async () => {
    const execution = await service.add(tasks.probe)('order-3');
    await execution.getResult({ timeout: 10_000 });
    const seen = tasks.seen!;
    expect(seen.progress).toBeInstanceOf(ExecutionProgress);
    await execution.sync();
    expect(execution.progress).toMatchObject({ current: 2, total: 2, message: 'done' });
    expect(seen.docket).toBe(service);
    expect(seen.key).toBe(execution.key);
    expect(seen.execution).toBeInstanceOf(Execution);
    expect(seen.execution).toMatchObject({
      key: execution.key,
      taskName: 'probe',
      state: ExecutionState.RUNNING,
      attempt: 1,
      worker: execution.worker,
    });
    expect(seen.execution.startedAt).toBeInstanceOf(Date);
    expect(seen.signal).toBeInstanceOf(AbortSignal);
    expect(seen.signal.aborted).toBe(false);
  });

  it('gives a Nest logger whose lines carry docket, task, key, worker and attempt', async () => {
    const execution = await service.add(tasks.probe)('order-4');
    await execution.getResult({ timeout: 10_000 });
    await execution.sync();
    const context = `Docket:${service.name} probe{${execution.key}} worker=${execution.worker} attempt=1`;
    expect(logger.lines()).toEqual(
      expect.arrayContaining([`LOG [${context}] working on order-4`, `WARN [${context}] a warning`]),
    );
  });

  it('aborts the cancellation signal with an ExecutionCancelledError when the execution is cancelled', async () => {
    const execution = await service.add(tasks.waitForCancel)();
    await waitUntil(async () => (await execution.sync()).state === ExecutionState.RUNNING, 'the task runs');
    expect(await service.cancel(execution.key)).toBe('cancelling');
    await expect(execution.getResult({ timeout: 10_000 })).rejects.toThrow(ExecutionCancelledError);
    expect(tasks.abortReason).toBeInstanceOf(ExecutionCancelledError);
  });
});
