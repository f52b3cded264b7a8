import { SpanKind, SpanStatusCode, context, propagation, trace } from '@opentelemetry/api';
import Redis from 'ioredis';
import { Worker, currentTask, type Docket } from '../../lib';
import { closeAfterEach, redisUrl, testDocket, waitUntil } from '../support/docket-test';
import { OTelHarness } from './otel-harness';

/** A promise and its resolve, to hold a task until the test lets it go. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

describe('OpenTelemetry traces and metrics', () => {
  const otel = new OTelHarness();
  const opened = closeAfterEach();
  let docket: Docket;
  let redis: Redis;

  beforeAll(() => {
    otel.start();
    redis = new Redis(redisUrl());
  });
  afterAll(async () => {
    await otel.stop();
    redis.disconnect();
  });
  beforeEach(() => {
    otel.spans.reset();
    docket = opened(testDocket());
  });
  describe('traces', () => {
    it('makes the run a child of the add, in the trace of the request that added it, with the task working inside the run', async () => {
      const tracer = trace.getTracer('test');
      docket.register(async function greet(name: string): Promise<string> {
        // A span the task makes itself lands under the run.
        return tracer.startActiveSpan('inside greet', (span) => {
          span.end();
          return `hello ${name}`;
        });
      });
      const request = tracer.startSpan('POST /greetings', { kind: SpanKind.SERVER });
      const execution = await context.with(trace.setSpan(context.active(), request), () => docket.add('greet', { key: 'greet-1' })('Ada'));
      request.end();
      opened(new Worker(docket)).runForever();
      await expect(execution.getResult({ timeout: 10_000 })).resolves.toBe('hello Ada');
      await waitUntil(() => otel.finished('inside greet').length === 1, 'the task span');

      const [add] = otel.finished('docket.add greet');
      const [run] = otel.finished('docket.run greet');
      const [inside] = otel.finished('inside greet');
      const traceId = request.spanContext().traceId;
      expect([add.spanContext().traceId, run.spanContext().traceId, inside.spanContext().traceId]).toEqual([traceId, traceId, traceId]);
      expect(add.parentSpanContext?.spanId).toBe(request.spanContext().spanId);
      expect(add.kind).toBe(SpanKind.PRODUCER);
      expect(add.attributes).toMatchObject({ 'docket.name': docket.name, 'docket.task': 'greet', 'docket.key': 'greet-1', 'docket.disposition': 'scheduled', 'messaging.operation.type': 'send' });
      expect(run.kind).toBe(SpanKind.CONSUMER);
      expect(run.parentSpanContext?.spanId).toBe(add.spanContext().spanId);
      expect(run.links.map((l) => l.context.spanId)).toEqual([add.spanContext().spanId]);
      expect(run.attributes).toMatchObject({ 'docket.task': 'greet', 'docket.key': 'greet-1', 'docket.attempt': 1, 'docket.outcome': 'completed', 'docket.worker': expect.any(String) });
      expect(inside.parentSpanContext?.spanId).toBe(run.spanContext().spanId);
    });

    it('gives each attempt a run span under the same add, the failed one recorded as an error', async () => {
      docket.register(
        async function flaky(): Promise<number> {
          if (currentTask().attempt === 1) throw new Error('first attempt broke');
          return currentTask().attempt;
        },
        { retry: { attempts: 2 } },
      );
      const execution = await docket.add('flaky')();
      opened(new Worker(docket)).runForever();
      await expect(execution.getResult({ timeout: 10_000 })).resolves.toBe(2);
      await waitUntil(() => otel.finished('docket.run flaky').length === 2, 'two run spans');

      const [add] = otel.finished('docket.add flaky');
      const runs = otel.finished('docket.run flaky').sort((a, b) => Number(a.attributes['docket.attempt']) - Number(b.attributes['docket.attempt']));
      expect(runs.map((r) => r.parentSpanContext?.spanId)).toEqual([add.spanContext().spanId, add.spanContext().spanId]);
      expect(runs.map((r) => r.attributes['docket.outcome'])).toEqual(['retried', 'completed']);
      expect(runs[0].status).toEqual({ code: SpanStatusCode.ERROR, message: 'first attempt broke' });
      expect(runs[0].events.map((e) => e.name)).toEqual(['exception']);
      expect(runs[1].status.code).toBe(SpanStatusCode.UNSET);
    });

    it('traces a refused add as failed, and cancel, strike and restore as spans of their own', async () => {
      docket.register(async function chargeCard(amount: number): Promise<number> {
        return amount;
      });
      const unserializable = (() => 10) as unknown as number;
      await expect(docket.add('chargeCard')(unserializable)).rejects.toThrow('chargeCard');
      const [refused] = otel.finished('docket.add chargeCard');
      expect(refused.status.code).toBe(SpanStatusCode.ERROR);

      const later = await docket.add('chargeCard', { delay: 60_000 })(5);
      await docket.cancel(later.key);
      await docket.strike('chargeCard');
      await docket.restore('chargeCard');
      expect(otel.finished('docket.cancel')[0].attributes).toMatchObject({ 'docket.key': later.key, 'docket.outcome': 'cancelled' });
      expect(otel.finished('docket.strike chargeCard')).toHaveLength(1);
      expect(otel.finished('docket.restore chargeCard')).toHaveLength(1);
    });

    /** Adds `task` for later, writes `value` over the record's `field`, makes it due, and returns its run's span. */
    const runTampered = async (task: string, field: string, value: string) => {
      docket.register(async () => 'ran', { name: task });
      const execution = await docket.add(task, { delay: 60_000 })();
      await redis.hset(docket.keys.runs(execution.key), field, value);
      await redis.zadd(docket.keys.queue, Date.now(), execution.key);
      opened(new Worker(docket)).runForever();
      await expect(execution.getResult({ timeout: 10_000 })).resolves.toBe('ran');
      await waitUntil(() => otel.finished(`docket.run ${task}`).length === 1, 'the run span');
      return otel.finished(`docket.run ${task}`)[0];
    };

    it('runs a task whose stored trace context is garbage, in a trace of its own', async () => {
      const span = await runTampered('plain', 'tc', '{not json');
      expect(span.parentSpanContext).toBeUndefined();
    });

    it('answers an add whose existing record holds a garbage due time, and ends its span', async () => {
      docket.register(async function later(): Promise<void> {});
      await docket.add('later', { key: 'odd', delay: 60_000 })();
      await redis.hset(docket.keys.runs('odd'), 'when', 'garbage');
      const again = await docket.add('later', { key: 'odd', delay: 60_000 })();
      expect(again.disposition).toBe('already-scheduled');
      const spans = otel.finished('docket.add later');
      expect(spans).toHaveLength(2);
      expect(spans[1].attributes['docket.when']).toBeUndefined();
    });

    it('runs a task whose stored due time is no date, with a span that leaves it out', async () => {
      const span = await runTampered('dated', 'when', '-1e20');
      expect(span.attributes).toMatchObject({ 'docket.outcome': 'completed' });
      expect(span.attributes['docket.when']).toBeUndefined();
    });

    it('writes no trace context with the work when no tracer provider is registered', async () => {
      trace.disable();
      propagation.disable();
      try {
        docket.register(async function quiet(): Promise<void> {});
        const execution = await docket.add('quiet', { delay: 60_000 })();
        expect(await redis.hget(docket.keys.runs(execution.key), 'tc')).toBeNull();
        expect(otel.finished()).toEqual([]);
      } finally {
        otel.start();
      }
    });
  });

  describe('metrics', () => {
    const at = (task: string): Record<string, string> => ({ 'docket.name': docket.name, 'docket.task': task });

    it('counts adds by what they did: scheduled, already scheduled, replaced, struck', async () => {
      docket.register(async function remind(): Promise<void> {});
      await docket.add('remind', { key: 'r1', delay: 60_000 })();
      await docket.add('remind', { key: 'r1', delay: 60_000 })(); // already scheduled
      await docket.replace('remind', { key: 'r1', delay: 30_000 })();
      await docket.addMany([docket.call('remind', { delay: 60_000 })(), docket.call('remind', { delay: 60_000 })()]);
      await docket.strike('remind');
      await docket.add('remind')();
      expect(await otel.value('docket.tasks.added', at('remind'))).toBe(6);
      expect(await otel.value('docket.tasks.scheduled', at('remind'))).toBe(4);
      expect(await otel.value('docket.tasks.replaced', at('remind'))).toBe(1);
      expect(await otel.value('docket.tasks.struck', { ...at('remind'), 'docket.where': 'producer' })).toBe(1);
      expect(await docket.clear()).toBe(3);
      expect(await otel.value('docket.tasks.cancelled', { 'docket.name': docket.name, 'docket.where': 'producer' })).toBe(3);
    });

    it('counts runs by outcome, with their duration and punctuality, and the runs in progress', async () => {
      const held = gate();
      docket.register(async function hold(): Promise<string> {
        await held.opened;
        return 'done';
      });
      docket.register(
        async function broken(): Promise<void> {
          throw new Error('always');
        },
        { retry: { attempts: 2 } },
      );
      const holding = await docket.add('hold')();
      const failing = await docket.add('broken')();
      const worker = opened(new Worker(docket));
      worker.runForever();
      await waitUntil(async () => (await otel.value('docket.tasks.running', { 'docket.name': docket.name })) === 1, 'hold running');
      await expect(failing.getResult({ timeout: 10_000 })).rejects.toThrow('always');
      held.open();
      await holding.getResult({ timeout: 10_000 });
      await waitUntil(async () => (await otel.value('docket.tasks.completed', at('hold'))) === 1, 'hold counted');
      expect(await otel.value('docket.tasks.running', { 'docket.name': docket.name, 'docket.worker': worker.name })).toBe(0);
      expect(await otel.value('docket.tasks.started', at('hold'))).toBe(1);
      expect(await otel.value('docket.tasks.started', at('broken'))).toBe(2);
      expect(await otel.value('docket.tasks.retried', at('broken'))).toBe(1);
      expect(await otel.value('docket.tasks.failed', at('broken'))).toBe(1);
      expect(await otel.value('docket.tasks.completed', at('broken'))).toBe(0);
      expect(await otel.count('docket.task.duration', at('broken'))).toBe(2);
      expect(await otel.count('docket.task.punctuality', at('hold'))).toBe(1);
      expect(await otel.value('docket.tasks.redelivered', at('hold'))).toBe(0);
    });

    it('counts a run cancelled while it runs, and one struck before it started, at the worker', async () => {
      docket.register(async function waits(): Promise<void> {
        await new Promise((resolve) => currentTask().signal.addEventListener('abort', resolve));
      });
      docket.register(async function banned(): Promise<void> {});
      const waiting = await docket.add('waits')();
      const queuedBanned = await docket.add('banned', { delay: 300 })();
      opened(new Worker(docket, { schedulingResolution: 50 })).runForever();
      await waitUntil(async () => (await otel.value('docket.tasks.running', { 'docket.name': docket.name })) === 1, 'waits running');
      await docket.strike('banned');
      await docket.cancel(waiting.key);
      await waitUntil(async () => (await otel.value('docket.tasks.cancelled', { ...at('waits'), 'docket.where': 'worker' })) === 1, 'waits cancelled');
      // Counted when the worker decides; recorded when its outcome is written.
      await waitUntil(async () => (await queuedBanned.sync()).state === 'cancelled', 'banned cancelled at the worker');
      expect(await otel.value('docket.tasks.struck', { ...at('banned'), 'docket.where': 'worker' })).toBe(1);
      expect(await otel.value('docket.tasks.cancelled', { ...at('banned'), 'docket.where': 'worker' })).toBe(1);
      // The running run was not counted as cancelled by the producer too.
      expect(await otel.value('docket.tasks.cancelled', { 'docket.name': docket.name, 'docket.where': 'producer' })).toBe(0);
    });

    it('counts a run taken over from a worker that stopped without finishing as redelivered', async () => {
      docket.register(async function resumable(): Promise<string> {
        return currentTask().worker;
      });
      const execution = await docket.add('resumable')();
      // A worker that claims the run and is gone before it ends it.
      const store = await docket.backend.openWorkerStore();
      await store.ensureGroup();
      const claimed = await store.claimNext('gone', 1, Date.now(), docket.executionTtl);
      await store.close();
      expect(claimed.runs.map((r) => r.key)).toEqual([execution.key]);
      opened(new Worker(docket, { name: 'heir', redeliveryTimeout: 200 })).runForever();
      await expect(execution.getResult({ timeout: 10_000 })).resolves.toBe('heir');
      await waitUntil(async () => (await otel.value('docket.tasks.redelivered', at('resumable'))) === 1, 'redelivered counted');
    });

    it('counts a run its worker abandoned at a stop neither failed nor retried, and ends its span as abandoned', async () => {
      docket.register(
        async function stubborn(): Promise<void> {
          await new Promise(() => undefined); // ignores its AbortSignal
        },
        { retry: { attempts: 3 } },
      );
      await docket.add('stubborn')();
      const worker = new Worker(docket);
      void worker.runForever();
      await waitUntil(async () => (await otel.value('docket.tasks.started', at('stubborn'))) === 1, 'stubborn started');
      await worker.stop({ drainTimeout: 0 });
      await waitUntil(() => otel.finished('docket.run stubborn').length === 1, 'the run span ended');
      expect(otel.finished('docket.run stubborn')[0].attributes['docket.outcome']).toBe('abandoned');
      expect(await otel.value('docket.tasks.failed', at('stubborn'))).toBe(0);
      expect(await otel.value('docket.tasks.retried', at('stubborn'))).toBe(0);
    });

    it('counts what is quarantined, by what it was', async () => {
      await redis.xadd(docket.keys.stream, '*', 'junk', 'no key here');
      opened(new Worker(docket)).runForever();
      await waitUntil(async () => (await otel.value('docket.quarantined', { 'docket.name': docket.name, 'docket.quarantine.what': 'message' })) === 1, 'the junk quarantined');
    });

    it('reports queue depth, schedule depth, the oldest due age and live workers while a worker runs', async () => {
      const held = gate();
      docket.register(async function slowly(): Promise<void> {
        await held.opened;
      });
      for (let i = 0; i < 3; i++) await docket.add('slowly')();
      await docket.add('slowly', { delay: 3_600_000 })();
      await docket.add('slowly', { delay: 3_600_000 })();
      const worker = opened(new Worker(docket, { concurrency: 1 }));
      worker.runForever();
      try {
        await waitUntil(async () => (await otel.value('docket.tasks.running', { 'docket.name': docket.name })) === 1, 'one running');
        const of = { 'docket.name': docket.name };
        expect(await otel.value('docket.queue.depth', of)).toBe(2);
        expect(await otel.value('docket.schedule.depth', of)).toBe(2);
        expect(await otel.value('docket.workers.live', of)).toBe(1);
        expect(await otel.value('docket.queue.oldest_due_age', of)).toBeGreaterThan(0);
      } finally {
        held.open();
      }
    });
  });
});
