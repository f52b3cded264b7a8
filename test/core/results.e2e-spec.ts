import {
  DocketTaskError,
  ExecutionCancelledError,
  ExecutionState,
  InvalidOptionsError,
  TimeoutError,
  Worker,
  type Docket,
} from '../../lib';
import { dropDocket, testDocket, waitUntil } from '../support/docket-test';

class PaymentDeclinedError extends Error {
  override name = 'PaymentDeclinedError';
  constructor(
    message: string,
    readonly code: string,
    readonly amount: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

class UnregisteredError extends Error {
  readonly detail = 'kept';
}

describe.each([
  ['through a subscription of its own', false],
  ['through the result inbox', true],
])('results and failures, awaited %s', (_path, inbox) => {
  let docket: Docket;
  let worker: Worker;
  let running: Promise<void>;

  beforeEach(async () => {
    docket = testDocket({ errors: [PaymentDeclinedError] });
    docket.register(async function metrics(n: number) {
      return { at: new Date(0), big: BigInt(n) * 10n, tags: new Map([['a', new Set([1, 2])]]) };
    });
    docket.register(async function declined(): Promise<never> {
      throw new PaymentDeclinedError('card declined', 'E42', 150, { cause: new TypeError('network flake') });
    });
    docket.register(async function unknownFailure(): Promise<never> {
      throw new UnregisteredError('something odd', { cause: new RangeError('deep cause') });
    });
    docket.register(async function builtIn(): Promise<never> {
      throw new TypeError('Invalid data provided');
    });
    docket.register(async function throwsString(): Promise<never> {
      throw 'plain string';
    });
    docket.register(async function throwsNull(): Promise<never> {
      throw null;
    });
    docket.register(async function nothing(): Promise<void> {});
    docket.register(async function forever(): Promise<void> {
      await new Promise(() => undefined);
    });
    worker = new Worker(docket);
    running = worker.runForever();
    if (inbox) await waitUntil(() => docket.resultInbox().mark() !== undefined, 'the result inbox is live');
  });
  afterEach(async () => {
    await worker.stop({ drainTimeout: 0 });
    await running;
    await docket.close();
    await dropDocket(docket);
  });

  it('returns the value with Dates, BigInts, Maps and Sets intact', async () => {
    const execution = await docket.add('metrics')(4);
    const result = (await execution.getResult({ timeout: 10_000 })) as { at: Date; big: bigint; tags: Map<string, Set<number>> };
    expect(result.at).toEqual(new Date(0));
    expect(result.big).toBe(40n);
    expect(result.tags.get('a')).toEqual(new Set([1, 2]));
    expect(execution.state).toBe(ExecutionState.COMPLETED);
  });

  it('returns undefined for a task that returns nothing', async () => {
    const execution = await docket.add('nothing')();
    await expect(execution.getResult()).resolves.toBeUndefined();
  });

  it('rethrows a registered class with its fields and cause chain', async () => {
    const execution = await docket.add('declined')();
    const error = await execution.getResult().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PaymentDeclinedError);
    const declined = error as PaymentDeclinedError;
    expect(declined.message).toBe('card declined');
    expect(declined.code).toBe('E42');
    expect(declined.amount).toBe(150);
    expect(declined.stack).toContain('card declined');
    expect(declined.cause).toBeInstanceOf(TypeError);
    expect((declined.cause as Error).message).toBe('network flake');
    expect(execution.error).toBe('PaymentDeclinedError: card declined');
  });

  it('rethrows built-in classes as themselves', async () => {
    const execution = await docket.add('builtIn')();
    await expect(execution.getResult()).rejects.toThrow(TypeError);
    await expect(execution.getResult()).rejects.toThrow('Invalid data provided');
  });

  it('wraps an unknown class in DocketTaskError, keeping name, message, stack, fields and cause', async () => {
    const execution = await docket.add('unknownFailure')();
    const error = (await execution.getResult().catch((e: unknown) => e)) as DocketTaskError & { detail: string };
    expect(error).toBeInstanceOf(DocketTaskError);
    expect(error.originalName).toBe('UnregisteredError');
    expect(error.message).toBe('something odd');
    expect(error.detail).toBe('kept');
    expect(error.stack).toContain('at unknownFailure');
    expect(error.cause).toBeInstanceOf(RangeError);
  });

  it.each([
    ['throwsString', 'plain string'],
    ['throwsNull', 'a non-Error value was thrown: null'],
  ])('ends FAILED with a readable error when a task throws a non-Error (%s)', async (task, message) => {
    const execution = await docket.add(task)();
    await expect(execution.getResult()).rejects.toThrow(message);
    expect(execution.state).toBe(ExecutionState.FAILED);
  });

  it('throws TimeoutError when the timeout passes first', async () => {
    const execution = await docket.add('forever')();
    await expect(execution.getResult({ timeout: 50 })).rejects.toThrow(TimeoutError);
    await expect(execution.getResult({ deadline: new Date(Date.now() + 50) })).rejects.toThrow(/Timed out .* waiting for execution/);
    await docket.cancel(execution.key);
  });

  it('rejects timeout together with deadline before any I/O', async () => {
    const offline = testDocket({ url: 'redis://127.0.0.1:1/0' });
    const execution = offline.execution('never-added');
    await expect(execution.getResult({ timeout: 1, deadline: new Date() })).rejects.toThrow(InvalidOptionsError);
    await offline.close();
  });

  it('throws ExecutionCancelledError for a cancelled execution', async () => {
    const execution = await docket.add('forever', { delay: 60_000 })();
    // The expectation is attached at once: the rejection may come before cancel() returns.
    const waiting = expect(execution.getResult()).rejects.toThrow(ExecutionCancelledError);
    expect(await docket.cancel(execution.key)).toBe('cancelled');
    await waiting;
  });
});

describe('fire and forget (executionTtl: 0)', () => {
  it('keeps nothing once an execution finishes', async () => {
    const docket = testDocket({ executionTtl: 0 });
    docket.register(async function quick(): Promise<number> {
      return 1;
    });
    const execution = await docket.add('quick')();
    const seen: string[] = [];
    const done = new Promise<void>((resolve) =>
      execution.state$.subscribe({ next: (e) => seen.push(e.state), complete: resolve }),
    );
    await new Worker(docket).runUntilFinished();
    await done;
    expect(seen.at(-1)).toBe(ExecutionState.COMPLETED);
    expect(await docket.getExecution(execution.key)).toBeNull();
    await docket.close();
    await dropDocket(docket);
  });
});
