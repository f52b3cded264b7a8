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

/** An event as both clients report it, in one shape: SSE's JSON and GraphQL's fields differ in case. */
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

async function boot(config: SampleConfig): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
    .overrideProvider(SAMPLE_CONFIG)
    .useValue(config)
    .setLogger(new CapturingLogger())
    .compile();
  const app = moduleRef.createNestApplication({ logger: new CapturingLogger() });
  await app.listen(0, '127.0.0.1');
  return app;
}

describe('sample orders app', () => {
  const config: SampleConfig = { redisUrl: redisUrl(), docketName: uniqueName('sample'), port: 0, worker: false };
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
    api = await boot(config);
    base = `http://127.0.0.1:${(api.getHttpServer().address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await worker?.close();
    await api.close();
    const { docket } = api.get(DocketService);
    expect(await leakedKeys(docket)).toEqual([]);
    await dropDocket(docket);
  });

  it('streams an order from snapshot to result over SSE and graphql-ws alike', async () => {
    const items = ['apple', 'bread', 'cheese', 'dates'];
    const { key, state } = await post({ customerId: 'c-42', items, delayMs: 5 });
    expect(state).toBe('queued');

    const sse: SeenEvent[] = [];
    const source = new EventSource(`${base}/executions/${key}/events`);
    const sseDone = new Promise<void>((resolve, reject) => {
      source.onmessage = (message) => {
        const event = JSON.parse(message.data) as SeenEvent;
        sse.push({ type: event.type, seq: event.seq, state: event.state, current: event.current, total: event.total, message: event.message });
        if (event.state === 'completed' || event.state === 'failed') {
          source.close();
          resolve();
        }
      };
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
                ? { type: 'state', seq: e.seq as number, state: (e.state as string).toLowerCase() }
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

  it("answers the result request with a failing task's HttpException status and body", async () => {
    await startWorker();
    const { key } = await post({ customerId: 'c-7', items: ['apple', 'missing-truffle'], delayMs: 1 });
    const res = await fetch(`${base}/executions/${key}/result?timeout=10000`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ statusCode: 404, error: 'Not Found', message: 'Item "missing-truffle" is not in the catalog' });
  });

  it('reads an execution over GraphQL and answers 404 for an unknown key', async () => {
    await startWorker();
    const { key } = await post({ items: ['apple'], delayMs: 1 });
    const result = await fetch(`${base}/executions/${key}/result?timeout=10000`);
    expect(result.status).toBe(200);
    const res = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{ execution(key: "${key}") { key state taskName progress { current total } } }` }),
    });
    expect(await res.json()).toEqual({
      data: { execution: { key, state: 'COMPLETED', taskName: 'processOrder', progress: { current: 1, total: 1 } } },
    });
    expect((await fetch(`${base}/executions/nope`)).status).toBe(404);
    expect((await fetch(`${base}/executions/nope/events`)).status).toBe(404);
    expect((await fetch(`${base}/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"items":"x"}' })).status).toBe(400);
  });

  it('answers 503 while processOrder is struck, and takes orders again once it is restored', async () => {
    const { docket } = api.get(DocketService);
    await docket.strike('processOrder');
    const res = await fetch(`${base}/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"items":["x"]}' });
    expect(res.status).toBe(503);
    expect(((await res.json()) as { message: string }).message).toContain('processOrder is struck');
    await docket.restore('processOrder');
    const { key } = await post({ items: ['x'], delayMs: 0 });
    await docket.cancel(key);
  });
});
