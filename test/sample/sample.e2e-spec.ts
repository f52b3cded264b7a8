/**
 * The sample orders app over real HTTP: an API process (no worker) and a worker-only process on
 * one docket, an SSE client and a graphql-ws client following the same execution.
 */
import type { AddressInfo } from 'node:net';
import type { INestApplication, INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { EventSource } from 'eventsource';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { DocketService } from 'nestjs-docket';
import { AppModule } from '../../sample/src/app.module';
import { SAMPLE_CONFIG, type SampleConfig } from '../../sample/src/config/sample.config';
import { CapturingLogger } from '../nest/nest-test';
import { dropDocket, leakedKeys, redisUrl, uniqueName, waitUntil } from '../support/docket-test';

/** An event as both clients report it: SSE's JSON and GraphQL's fields, in one shape. */
interface SeenEvent {
  type: string;
  seq: number;
  state?: string;
  current?: number;
  total?: number;
  message?: string | null;
}

const SUBSCRIPTION = `
  subscription Follow($key: String!) {
    execution(key: $key) {
      __typename
      ... on ExecutionStateEvent { key seq state worker }
      ... on ExecutionProgressEvent { key seq current total message }
    }
  }`;

async function boot(config: SampleConfig, logger = new CapturingLogger()): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
    .overrideProvider(SAMPLE_CONFIG)
    .useValue(config)
    .setLogger(logger)
    .compile();
  const app = moduleRef.createNestApplication({ logger });
  await app.listen(0, '127.0.0.1');
  return app;
}

describe('sample orders app', () => {
  const config: SampleConfig = { redisUrl: redisUrl(), docketName: uniqueName('sample'), port: 0, worker: false };
  const logger = new CapturingLogger();
  let api: INestApplication;
  let worker: INestApplicationContext | undefined;
  let base: string;

  const post = async (body: unknown): Promise<{ key: string; state: string }> => {
    const res = await fetch(`${base}/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(res.status).toBe(202);
    return (await res.json()) as { key: string; state: string };
  };

  /** The worker-only process; the first test starts it at the moment it needs, the others at their start. */
  const startWorker = async (): Promise<void> => {
    worker ??= await Test.createTestingModule({ imports: [AppModule] })
      .overrideProvider(SAMPLE_CONFIG)
      .useValue({ ...config, worker: true })
      .setLogger(new CapturingLogger())
      .compile()
      .then((moduleRef) => moduleRef.init());
  };

  beforeAll(async () => {
    api = await boot(config, logger);
    base = `http://127.0.0.1:${(api.getHttpServer().address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await worker?.close();
    await api.close();
    const { docket } = api.get(DocketService);
    expect(await leakedKeys(docket)).toEqual([]);
    await dropDocket(docket);
  });

  it('answers GET /health with 503 and the reason while no worker is alive', async () => {
    const before = await fetch(`${base}/health`);
    expect(before.status).toBe(503);
    const body = (await before.json()) as { details: { docket: Record<string, unknown> } };
    expect(body.details.docket).toMatchObject({ status: 'down', message: '0 live workers, fewer than 1', liveWorkers: 0 });
  });

  it('streams an order from snapshot to result over SSE and graphql-ws alike', async () => {
    const items = ['apple', 'bread', 'cheese', 'dates'];
    const { key, state } = await post({ customerId: 'c-42', items, delayMs: 5 });
    expect(state).toBe('queued');

    const sse: SeenEvent[] = [];
    const source = new EventSource(`${base}/executions/${key}/events`);
    const names: string[] = [];
    const sseDone = new Promise<void>((resolve, reject) => {
      const onEvent = (message: MessageEvent): void => {
        names.push(message.type);
        const event = JSON.parse(message.data) as SeenEvent;
        expect(message.lastEventId).toBe(String(event.seq));
        sse.push({ type: event.type, seq: event.seq, state: event.state, current: event.current, total: event.total, message: event.message });
        if (event.state === 'completed' || event.state === 'failed') {
          source.close();
          resolve();
        }
      };
      for (const name of ['snapshot', 'state', 'progress']) source.addEventListener(name, onEvent);
      source.onerror = (err) => reject(new Error(`SSE failed: ${err.message ?? 'unknown'}`));
    });

    const gql: SeenEvent[] = [];
    const client: Client = createClient({ url: `${base.replace('http', 'ws')}/graphql`, webSocketImpl: WebSocket, lazy: true });
    const gqlDone = new Promise<void>((resolve, reject) => {
      client.subscribe<{ execution: Record<string, unknown> }>(
        { query: SUBSCRIPTION, variables: { key } },
        {
          next: ({ data, errors }) => {
            if (errors?.length) return reject(new Error(errors[0].message));
            const e = data!.execution;
            gql.push(
              e.__typename === 'ExecutionStateEvent'
                ? { type: 'state', seq: e.seq as number, state: e.state as string }
                : { type: 'progress', seq: e.seq as number, current: e.current as number, total: e.total as number, message: e.message as string | null },
            );
          },
          error: reject,
          complete: resolve,
        },
      );
    });

    // Both clients hold the snapshot, so they are subscribed: only now may a worker take the order.
    await waitUntil(() => sse.length > 0 && gql.length > 0, 'both clients have the snapshot');
    expect(sse[0]).toMatchObject({ type: 'state', state: 'queued' });
    expect(gql[0]).toMatchObject({ type: 'state', state: 'queued' });
    await startWorker();

    await Promise.all([sseDone, gqlDone]);
    await client.dispose();

    // Named events: the first is the snapshot, then each one by its type.
    expect(names).toEqual(['snapshot', ...sse.slice(1).map((e) => e.type)]);
    const states = sse.filter((e) => e.type === 'state').map((e) => e.state);
    expect(states).toEqual(['queued', 'running', 'completed']);
    const progress = sse.filter((e) => e.type === 'progress');
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.map((e) => e.current)).toEqual([...progress.map((e) => e.current!)].sort((a, b) => a - b));
    expect(progress.at(-1)).toMatchObject({ current: items.length, total: items.length, message: 'Packed dates' });
    const seqs = sse.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(gql).toEqual(sse.map((e) => Object.fromEntries(Object.entries(e).filter(([, v]) => v !== undefined))));

    const result = await fetch(`${base}/executions/${key}/result?timeout=10000`);
    expect(result.status).toBe(200);
    expect(await result.json()).toEqual({ customerId: 'c-42', packed: 4, items, completedAt: expect.any(String) });

    const view = await (await fetch(`${base}/executions/${key}`)).json();
    expect(view).toMatchObject({ key, taskName: 'processOrder', state: 'completed', progress: { current: 4, total: 4 } });
  });

  it('answers GET /health with 200 once a worker is alive', async () => {
    await startWorker();
    await waitUntil(async () => (await fetch(`${base}/health`)).status === 200, 'healthy with the worker');
    const after = (await (await fetch(`${base}/health`)).json()) as { status: string; details: { docket: Record<string, unknown> } };
    expect(after).toMatchObject({ status: 'ok', details: { docket: { status: 'up', liveWorkers: 1 } } });
  });

  it("answers the result request with a failing task's HttpException status and body", async () => {
    await startWorker();
    const { key } = await post({ customerId: 'c-7', items: ['apple', 'missing-truffle'], delayMs: 1 });
    const res = await fetch(`${base}/executions/${key}/result?timeout=10000`);
    expect(res.status).toBe(404);
    // The task's own 404, told apart from "no such execution" by its code.
    expect(await res.json()).toEqual({ statusCode: 404, code: 'TASK_FAILED', message: 'Item "missing-truffle" is not in the catalog' });
  });

  it('reads an execution over GraphQL and answers 404 for an unknown key', async () => {
    await startWorker();
    const { key } = await post({ customerId: 'c-8', items: ['apple'], delayMs: 1 });
    const result = await fetch(`${base}/executions/${key}/result?timeout=10000`);
    expect(result.status).toBe(200);
    const res = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{ execution(key: "${key}") { key state taskName progress { current total } } }` }),
    });
    expect(await res.json()).toEqual({
      data: { execution: { key, state: 'completed', taskName: 'processOrder', progress: { current: 1, total: 1 } } },
    });
  });

  it('answers 503 while processOrder is struck, and takes orders again once it is restored', async () => {
    const { docket } = api.get(DocketService);
    await docket.strike('processOrder');
    const res = await fetch(`${base}/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"customerId":"c-9","items":["x"]}' });
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ code: 'ORDERS_STRUCK', message: expect.stringContaining('processOrder is struck') });
    await docket.restore('processOrder');
    const { key } = await post({ customerId: 'c-9', items: ['x'], delayMs: 0 });
    await docket.cancel(key);
  });
});

describe('sample orders app: what it answers to bad input', () => {
  const config: SampleConfig = { redisUrl: redisUrl(), docketName: uniqueName('sample-input'), port: 0, worker: false };
  const logger = new CapturingLogger();
  let api: INestApplication;
  let base: string;

  beforeAll(async () => {
    api = await boot(config, logger);
    base = `http://127.0.0.1:${(api.getHttpServer().address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await api.close();
    await dropDocket(api.get(DocketService).docket);
  });

  const order = (body: string, contentType = 'application/json'): Promise<Response> =>
    fetch(`${base}/orders`, { method: 'POST', headers: { 'content-type': contentType }, body });
  const answer = async (res: Response): Promise<{ status: number; code: unknown }> => ({
    status: res.status,
    code: ((await res.json()) as { code?: unknown }).code,
  });

  it.each([
    ['a plain-text body', 'customerId=c&items=a', 'text/plain', 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['a form body', 'customerId=c&items=a', 'application/x-www-form-urlencoded', 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['no items', '{"customerId":"c"}', 'application/json', 400, 'VALIDATION_FAILED'],
    ['items: null', '{"customerId":"c","items":null}', 'application/json', 400, 'VALIDATION_FAILED'],
    ['items that are not strings', '{"customerId":"c","items":[1]}', 'application/json', 400, 'VALIDATION_FAILED'],
    ['a top-level array', '[{"customerId":"c","items":["a"]}]', 'application/json', 400, 'VALIDATION_FAILED'],
    ['an unknown field', '{"customerId":"c","items":["a"],"rush":true}', 'application/json', 400, 'VALIDATION_FAILED'],
    ['a negative delay', '{"customerId":"c","items":["a"],"delayMs":-1}', 'application/json', 400, 'VALIDATION_FAILED'],
  ])('refuses %s with a code, and adds nothing', async (_what, body, type, status, code) => {
    expect(await answer(await order(body, type))).toEqual({ status, code });
    const { streamLength, queueLength } = await api.get(DocketService).docket.snapshot();
    expect(streamLength + queueLength).toBe(0);
  });

  it('names what is wrong in a validation failure', async () => {
    const res = await order('{"customerId":"c","items":"apple"}');
    expect(await res.json()).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED', details: expect.arrayContaining(['items: items must be an array']) });
  });

  it('answers 400 for a result timeout out of range, 404 with its code for an unknown key', async () => {
    const res = await order('{"customerId":"c","items":["a"],"delayMs":0}');
    const { key } = (await res.json()) as { key: string };
    for (const timeout of ['-5', '0', '1e12', 'soon']) {
      expect(await answer(await fetch(`${base}/executions/${key}/result?timeout=${timeout}`))).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
    }
    expect(await answer(await fetch(`${base}/executions/${key}/result?timeout=1`))).toEqual({ status: 408, code: 'RESULT_TIMEOUT' });
    await api.get(DocketService).cancel(key);
    expect(await answer(await fetch(`${base}/executions/${key}/result?timeout=1000`))).toEqual({ status: 409, code: 'EXECUTION_CANCELLED' });
    for (const path of ['nope', 'nope/events', 'nope/result']) {
      expect(await answer(await fetch(`${base}/executions/${path}`))).toEqual({ status: 404, code: 'EXECUTION_NOT_FOUND' });
    }
  });

  it('sends only what a client missed when it reconnects with Last-Event-ID', async () => {
    const res = await order('{"customerId":"c","items":["a"],"delayMs":0}');
    const { key } = (await res.json()) as { key: string };
    await api.get(DocketService).cancel(key);
    const read = async (headers: Record<string, string>): Promise<string> => (await (await fetch(`${base}/executions/${key}/events`, { headers })).text()).trim();
    // Cancelled: the snapshot is the terminal event, and the stream ends after it.
    const first = await read({});
    expect(first).toMatch(/^event: snapshot\nid: (\d+)\ndata: \{.*"state":"cancelled".*\}$/s);
    const seq = /id: (\d+)/.exec(first)![1];
    expect(await read({ 'last-event-id': seq })).toBe('');
    expect(await read({ 'last-event-id': String(Number(seq) - 1) })).toMatch(/^event: snapshot\nid: /);
  });

  it('answers a GraphQL subscription to an unknown key with EXECUTION_NOT_FOUND, and does not log it as a server error', async () => {
    const client: Client = createClient({ url: `${base.replace('http', 'ws')}/graphql`, webSocketImpl: WebSocket, lazy: true });
    // graphql-ws sends a resolver's error as a result with `errors`, then completes.
    const errors = await new Promise<readonly { message: string; extensions?: Record<string, unknown> }[]>((resolve, reject) => {
      client.subscribe(
        { query: SUBSCRIPTION, variables: { key: 'nope' } },
        {
          next: ({ errors: found }) => (found?.length ? resolve(found) : reject(new Error('an event for no execution'))),
          error: reject,
          complete: () => reject(new Error('completed without an error')),
        },
      );
    });
    await client.dispose();
    expect(errors[0]).toMatchObject({ message: 'No execution "nope"', extensions: { code: 'EXECUTION_NOT_FOUND' } });
    expect(logger.lines().filter((l) => l.startsWith('ERROR'))).toEqual([]);
  });
});
