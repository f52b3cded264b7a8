/**
 * nestjs-docket under test: `docket.add(task)(…)`, `docket.call` + `addMany`, a `Worker` with
 * its defaults, results via `execution.getResult()`, progress via `currentTask().progress` and
 * the docket's `events$()` on the producer's own subscriber connection.
 */
import { Console } from 'node:console';
import { openSync, writeSync } from 'node:fs';
import { Writable } from 'node:stream';
import type Redis from 'ioredis';
import { Docket } from '../../lib/core/producer/docket';
import type { DocketLogger } from '../../lib/core/util/logger';
import { DocketKeys } from '../../lib/core/store/docket-keys';
import { currentTask } from '../../lib/core/worker/task-context';
import { Worker } from '../../lib/core/worker/worker';
import type { Subscription } from 'rxjs';
import type { ExecutionEvent } from '../../lib/core/execution/execution-event';
import type { BenchWorker, Payload, Producer, ProducerSpec, SystemAdapter, Target, TaskProbe, Watchers, WorkerSpec } from './adapter';
import { benchTelemetry } from './otel';
import { progressLoop } from './tasks';

// DOCKET_BENCH_OTEL=1: the producer and the worker process record spans and metrics.
benchTelemetry();

const silent: DocketLogger = {
  log: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  debug: () => undefined,
};

/**
 * docket's default logger (the console's, two lines per task) writing to /dev/null: what its
 * default costs the worker process, with nothing on the terminal. The writes are synchronous, as
 * Node's stdout is when it goes to a file.
 */
function defaultLoggerToNull(): DocketLogger {
  const fd = openSync('/dev/null', 'w');
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      writeSync(fd, chunk);
      done();
    },
  });
  const out = new Console(sink, sink);
  return {
    log: (message, ...rest) => out.log(`[docket] ${message}`, ...rest),
    warn: (message, ...rest) => out.warn(`[docket] ${message}`, ...rest),
    error: (message, ...rest) => out.error(`[docket] ${message}`, ...rest),
  };
}

const NO_PROBE: TaskProbe = { started: () => undefined, record: () => undefined };
let probe: TaskProbe = NO_PROBE;

/** The one task: a no-op unless the payload asks for progress updates. */
async function bench(payload: Payload): Promise<void> {
  probe.started();
  if (!payload.u) return;
  const { key, progress } = currentTask();
  await progressLoop(payload, key, probe, (value) => progress.setCurrent(value));
}

function docketFor(target: Target, fireAndForget: boolean, logger: DocketLogger = silent, keepMs?: number): Docket {
  const docket = new Docket({
    name: target.queue,
    url: `redis://${target.host}:${target.port}/0`,
    logger,
    ...(fireAndForget ? { executionTtl: 0 } : keepMs !== undefined ? { executionTtl: keepMs } : {}),
  });
  docket.register(bench);
  return docket;
}

export const docketAdapter: SystemAdapter = {
  id: 'docket',
  label: 'docket',

  async producer(target: Target, spec: ProducerSpec): Promise<Producer> {
    const docket = docketFor(target, spec.fireAndForget, silent, spec.keepMs);
    await docket.connect();
    return {
      add: async (payload) => (await docket.add(bench)(payload)).key,
      addBulk: async (payloads) => {
        await docket.addMany(payloads.map((p) => docket.call(bench)(p)));
      },
      addScheduled: async (payloads, dueAt) => {
        await docket.addMany(payloads.map((p, i) => docket.call(bench, { when: new Date(dueAt[i]) })(p)));
      },
      submit: async (payload) => {
        const execution = await docket.add(bench)(payload);
        return { id: execution.key, done: execution.getResult() };
      },
      onProgress: async (listener) => {
        docket.events$().subscribe((event) => {
          if (event.type === 'progress') listener(event.key, event.current);
        });
      },
      close: () => docket.close(),
    };
  },

  async worker(target: Target, spec: WorkerSpec, taskProbe: TaskProbe): Promise<BenchWorker> {
    probe = taskProbe;
    const docket = docketFor(target, spec.fireAndForget, spec.logging === 'default' ? defaultLoggerToNull() : silent, spec.keepMs);
    const worker = new Worker(docket, { concurrency: spec.concurrency });
    let loop: Promise<void> | undefined;
    return {
      run: () => {
        loop = worker.runForever();
        loop.catch((err: unknown) => console.error('docket worker failed', err));
      },
      stop: async () => {
        await worker.stop();
        await loop;
        await docket.close();
        probe = NO_PROBE;
      },
    };
  },

  async remaining(admin: Redis, target: Target): Promise<number> {
    // Every stream entry is deleted by the script that records the terminal state.
    return admin.xlen(new DocketKeys(target.queue).stream);
  },

  async scheduled(admin: Redis, target: Target): Promise<number> {
    return admin.zcard(new DocketKeys(target.queue).queue);
  },

  async watchers(target: Target, pattern = false): Promise<Watchers> {
    const docket = docketFor(target, false);
    await docket.connect();
    const subscriptions: Subscription[] = [];
    const close = async (): Promise<void> => {
      for (const subscription of subscriptions) subscription.unsubscribe();
      await docket.close();
    };
    if (pattern) {
      const byKey = new Map<string, (value: number) => void>();
      return {
        watch: async (ids, listener) => {
          for (const id of ids) byKey.set(id, (value) => listener(id, value));
          if (subscriptions.length > 0) return;
          await new Promise<void>((live) => {
            subscriptions.push(
              docket.events$({ onReady: live }).subscribe((event) => {
                if (event.type === 'progress') byKey.get(event.key)?.(event.current);
              }),
            );
          });
        },
        close,
      };
    }
    /** One Observable per execution, as a user holds it: snapshot first, then every event. */
    const watchEach = (ids: readonly string[], listener: (id: string, value: number) => void): Promise<unknown> =>
      Promise.all(
        ids.map(
          (id) =>
            new Promise<void>((live, failed) => {
              let first = true;
              const observer = {
                next: (event: ExecutionEvent): void => {
                  if (first) {
                    first = false;
                    live();
                  }
                  if (event.type === 'progress') listener(id, event.current);
                },
                error: failed,
              };
              subscriptions.push(docket.execution(id).subscribe().subscribe(observer));
            }),
        ),
      );
    return {
      // 500 at a time, as watchers arrive in an app: 10,000 snapshot reads in flight at once
      // would put the garbage of that moment in the RSS, not what the watches hold.
      watch: async (ids, listener) => {
        for (let i = 0; i < ids.length; i += 500) await watchEach(ids.slice(i, i + 500), listener);
      },
      close,
    };
  },
};
