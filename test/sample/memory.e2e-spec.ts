/**
 * The sample on `memory://`: no Redis, one process that serves HTTP and runs the worker, an
 * order followed over a real SSE connection to its end.
 */
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { EventSource } from 'eventsource';
import { AppModule } from '../../sample/src/app.module';
import { SAMPLE_CONFIG, SAMPLE_MEMORY_URL, sampleConfigWithFallback, type SampleConfig } from '../../sample/src/config/sample.config';
import { CapturingLogger } from '../nest/nest-test';
import { uniqueName } from '../support/docket-test';

describe('the sample on memory://', () => {
  let app: INestApplication;
  let base: string;

  beforeAll(async () => {
    // As `REDIS_URL=memory:// npm start` configures it (the port aside).
    const config: SampleConfig = await sampleConfigWithFallback({ REDIS_URL: 'memory://', DOCKET_NAME: uniqueName('memory-sample'), PORT: '0' });
    expect(config).toMatchObject({ redisUrl: 'memory://', worker: true });
    const logger = new CapturingLogger();
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).overrideProvider(SAMPLE_CONFIG).useValue(config).setLogger(logger).compile();
    app = moduleRef.createNestApplication({ logger });
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await app.close();
  });

  it('takes an order over HTTP and streams it over SSE, snapshot first, to COMPLETED, then answers its result', async () => {
    const res = await fetch(`${base}/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ customerId: 'ada', items: ['apple', 'bread'], delayMs: 5 }) });
    expect(res.status).toBe(202);
    const { key } = (await res.json()) as { key: string };

    const source = new EventSource(`${base}/executions/${key}/events`);
    const seen: { name: string; state?: string; current?: number }[] = [];
    await new Promise<void>((resolve, reject) => {
      const onEvent = (message: MessageEvent): void => {
        const event = JSON.parse(message.data) as { state?: string; current?: number };
        seen.push({ name: message.type, state: event.state, current: event.current });
        if (event.state === 'completed' || event.state === 'failed') {
          source.close();
          resolve();
        }
      };
      for (const name of ['snapshot', 'state', 'progress']) source.addEventListener(name, onEvent);
      source.onerror = (err) => reject(new Error(`SSE failed: ${err.message ?? 'unknown'}`));
    });
    expect(seen[0].name).toBe('snapshot');
    expect(seen.at(-1)).toMatchObject({ name: 'state', state: 'completed' });
    // Whatever the snapshot caught, the stream went on to the last item packed.
    expect(seen.some((e) => e.name === 'progress' && e.current === 2) || seen[0].state === 'completed').toBe(true);

    const result = (await (await fetch(`${base}/executions/${key}/result`)).json()) as { packed: number };
    expect(result.packed).toBe(2);
  });

  it('falls back to memory:// only when REDIS_URL is unset and no Redis answers; a REDIS_URL that is set is kept', async () => {
    const silent = async (): Promise<boolean> => false;
    await expect(sampleConfigWithFallback({}, silent)).resolves.toMatchObject({ redisUrl: SAMPLE_MEMORY_URL, memoryBecause: expect.stringContaining('REDIS_URL is not set') });
    const given = await sampleConfigWithFallback({ REDIS_URL: 'redis://127.0.0.1:1/0' }, silent);
    expect([given.redisUrl, given.memoryBecause]).toEqual(['redis://127.0.0.1:1/0', undefined]);
    const answered = await sampleConfigWithFallback({}, async () => true);
    expect([answered.redisUrl, answered.memoryBecause]).toEqual(['redis://127.0.0.1:6379/0', undefined]);
  });
});
