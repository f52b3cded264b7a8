import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Docket, DocketModule, DocketService, ExecutionState, Logged, Task } from 'nestjs-docket';
import { dropDocket, leakedKeys, redisUrl, uniqueName, waitUntil } from '../support/docket-test';
import { bootModule, CapturingLogger } from './nest-test';

/** A gate a test opens when it is ready for the task to finish. */
class Gate {
  entered = false;
  open!: () => void;
  readonly opened = new Promise<void>((resolve) => (this.open = resolve));
}

@Injectable()
class SlowTasks {
  gate = new Gate();

  @Task()
  async slow(@Logged() id: number): Promise<string> {
    this.gate.entered = true;
    await this.gate.opened;
    return `done:${id}`;
  }

  @Task()
  async endless(): Promise<void> {
    this.gate.entered = true;
    await this.gate.opened;
  }
}

describe('worker lifecycle', () => {
  it('on app.close() stops claiming, drains the running task, stores its result, then closes', async () => {
    const name = uniqueName('drain');
    const logger = new CapturingLogger();
    const app = await bootModule({ imports: [DocketModule.forRoot({ name, url: redisUrl() })], providers: [SlowTasks] }, logger);
    const service = app.get(DocketService);
    const tasks = app.get(SlowTasks);
    const inFlight = await service.add(tasks.slow)(1);
    await waitUntil(() => tasks.gate.entered, 'the task runs');

    const closing = app.close();
    await waitUntil(() => logger.lines().some((l) => l.includes('finishing 1 running task(s)')), 'the worker drains');
    // Added while draining: a stopped worker must leave it for the next one.
    const producer = new Docket({ name, url: redisUrl(), logger: new CapturingLogger() });
    producer.register(tasks.slow, { name: 'slow' });
    const late = await producer.add(tasks.slow)(2);
    tasks.gate.open();
    await closing;

    const stored = await producer.getExecution<string>(inFlight.key);
    expect(stored?.state).toBe(ExecutionState.COMPLETED);
    await expect(stored!.getResult()).resolves.toBe('done:1');
    expect((await producer.getExecution(late.key))?.state).toBe(ExecutionState.QUEUED);
    expect(await producer.workers()).toEqual([]);
    await expect(service.getExecution(inFlight.key)).rejects.toThrow(/is closed/);

    await producer.cancel(late.key);
    expect(await leakedKeys(producer)).toEqual([]);
    await producer.close();
    await dropDocket(producer);
  });

  it('leaves a task still running after drainTimeout to redelivery', async () => {
    const name = uniqueName('timeout');
    const logger = new CapturingLogger();
    const app = await bootModule(
      { imports: [DocketModule.forRoot({ name, url: redisUrl(), worker: { drainTimeout: 1 } })], providers: [SlowTasks] },
      logger,
    );
    const service = app.get(DocketService);
    const tasks = app.get(SlowTasks);
    const execution = await service.add(tasks.endless)();
    await waitUntil(() => tasks.gate.entered, 'the task runs');
    await app.close();
    expect(logger.lines()).toEqual(expect.arrayContaining([expect.stringContaining(`left endless{${execution.key}} to redelivery`)]));

    const producer = new Docket({ name, url: redisUrl(), logger: new CapturingLogger() });
    expect((await producer.getExecution(execution.key))?.state).toBe(ExecutionState.RUNNING);
    tasks.gate.open();
    await producer.close();
    await dropDocket(producer);
  });

  it('runs tasks in a worker-only process made with NestFactory.createApplicationContext', async () => {
    const name = uniqueName('worker-only');
    @Module({ imports: [DocketModule.forRoot({ name, url: redisUrl() })], providers: [SlowTasks] })
    class WorkerModule {}
    const context = await NestFactory.createApplicationContext(WorkerModule, { logger: new CapturingLogger() });
    const tasks = context.get(SlowTasks);
    tasks.gate.open();

    const producer = new Docket({ name, url: redisUrl(), logger: new CapturingLogger() });
    producer.register(tasks.slow, { name: 'slow' });
    const execution = await producer.add(tasks.slow)(3);
    await expect(execution.getResult({ timeout: 10_000 })).resolves.toBe('done:3');
    expect(context.get(DocketService).docket.tasks.names()).toEqual(['endless', 'slow']);
    await context.close();

    expect(await leakedKeys(producer)).toEqual([]);
    await producer.close();
    await dropDocket(producer);
  });
});
