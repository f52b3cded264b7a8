import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { Body, Controller, Injectable, Module, Post, type INestApplication, type NestMiddleware, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { SpanKind, context, trace } from '@opentelemetry/api';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DocketModule, DocketService, Task } from 'nestjs-docket';
import { dropDocket, redisUrl, testDocket, uniqueName, waitUntil } from '../support/docket-test';
import { CapturingLogger } from '../nest/nest-test';
import { OTelHarness } from './otel-harness';

interface PrintedSpan {
  name: string;
  kind: number;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  links: string[];
  attributes: Record<string, unknown>;
}

/** What an HTTP instrumentation does: each request runs inside a SERVER span. */
@Injectable()
class RequestSpan implements NestMiddleware {
  use(req: IncomingMessage & { originalUrl?: string }, res: ServerResponse, next: () => void): void {
    const span = trace.getTracer('http').startSpan(`${req.method} ${req.originalUrl}`, { kind: SpanKind.SERVER });
    res.on('finish', () => span.end());
    context.with(trace.setSpan(context.active(), span), next);
  }
}

describe('one trace from a Nest HTTP request to the run in another process', () => {
  const otel = new OTelHarness();
  const name = uniqueName('traced');
  let app: INestApplication;
  let workerProcess: ChildProcess;
  let stdout = '';

  beforeAll(async () => {
    otel.start();

    // The producer knows the task; the other process runs it.
    @Injectable()
    class GreetingTasks {
      @Task()
      async greet(who: string): Promise<string> {
        return `hello ${who}`;
      }
    }

    @Controller('greetings')
    class GreetingsController {
      constructor(
        private readonly docket: DocketService,
        private readonly tasks: GreetingTasks,
      ) {}
      @Post()
      async create(@Body() body: { who: string }): Promise<{ key: string }> {
        const execution = await this.docket.add(this.tasks.greet)(body.who);
        return { key: execution.key };
      }
    }

    @Module({ imports: [DocketModule.forRoot({ name, url: redisUrl(), worker: false })], controllers: [GreetingsController], providers: [GreetingTasks] })
    class TracedApp implements NestModule {
      configure(consumer: MiddlewareConsumer): void {
        consumer.apply(RequestSpan).forRoutes('*path');
      }
    }

    app = await NestFactory.create(TracedApp, { logger: new CapturingLogger() });
    await app.listen(0, '127.0.0.1');
    workerProcess = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', join(__dirname, 'fixtures', 'traced-worker.ts'), name, redisUrl()], { stdio: ['ignore', 'pipe', 'inherit'] });
    workerProcess.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    await waitUntil(() => stdout.includes('READY'), 'the worker process is ready', 20_000);
  });
  afterAll(async () => {
    if (workerProcess && workerProcess.exitCode === null) {
      const exited = new Promise((resolve) => workerProcess.once('exit', resolve));
      workerProcess.kill('SIGTERM');
      await exited;
    }
    await app?.close();
    await otel.stop();
    const docket = testDocket({ name });
    await docket.close();
    await dropDocket(docket);
  });

  const printed = (): PrintedSpan[] =>
    stdout
      .split('\n')
      .filter((l) => l.startsWith('SPAN '))
      .map((l) => JSON.parse(l.slice(5)) as PrintedSpan);

  it('parents the run to the add, the add to the request, and the task’s own span to the run', async () => {
    const response = await fetch(`${await app.getUrl()}/greetings`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ who: 'Grace' }) });
    const { key } = (await response.json()) as { key: string };
    await waitUntil(() => printed().some((s) => s.name === 'docket.run greet'), 'the run span printed', 15_000);
    await waitUntil(() => otel.finished('POST').length === 1, 'the request span ended');

    const [request] = otel.finished('POST /greetings');
    const [add] = otel.finished('docket.add greet');
    const run = printed().find((s) => s.name === 'docket.run greet')!;
    const inner = printed().find((s) => s.name === 'compose greeting')!;
    const traceId = request.spanContext().traceId;

    expect(add.spanContext().traceId).toBe(traceId);
    expect(add.parentSpanContext?.spanId).toBe(request.spanContext().spanId);
    expect(run).toMatchObject({ traceId, parentSpanId: add.spanContext().spanId, links: [add.spanContext().spanId], kind: SpanKind.CONSUMER });
    expect(run.attributes).toMatchObject({ 'docket.key': key, 'docket.worker': 'traced-worker', 'docket.outcome': 'completed', 'docket.name': name });
    expect(inner).toMatchObject({ traceId, parentSpanId: run.spanId });
  });
});
