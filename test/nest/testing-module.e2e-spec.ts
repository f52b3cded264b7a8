/**
 * README's "Testing your tasks", as a test: a service that enqueues, its task, and a controller's
 * SSE endpoint, tested with DocketTestingModule alone. No Redis: the app's DocketModule names a
 * Redis that does not exist, and nothing ever connects to it.
 */
import type { AddressInfo } from 'node:net';
import { Body, Controller, Injectable, Module, NotFoundException, Param, Post, Sse, type INestApplication, type MessageEvent } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { Observable } from 'rxjs';
import { DocketModule, DocketService, DocketTester, DocketTestingModule, Logged, Perpetual, Progress, Task, toSseEvents, type ExecutionProgress, type PerpetualControl } from 'nestjs-docket';
import { waitUntil } from '../support/docket-test';
import { CapturingLogger } from './nest-test';

@Injectable()
class EmailTasks {
  readonly sent: string[] = [];

  @Task({ retry: { attempts: 2, delay: 60_000 } })
  async sendWelcome(@Logged() to: string, @Progress() progress: ExecutionProgress): Promise<string> {
    await progress.setTotal(1);
    if (to.endsWith('@flaky.example') && !this.sent.includes(`failed ${to}`)) {
      this.sent.push(`failed ${to}`);
      throw new Error(`${to}: mail server busy`);
    }
    this.sent.push(to);
    await progress.increment();
    return `welcomed ${to}`;
  }
}

@Injectable()
class FeedTasks {
  runs = 0;
  readonly feeds = new Set<string>();

  @Task({ perpetual: { every: 60_000 } })
  async refreshFeed(@Logged() feed: string, @Perpetual() perpetual: PerpetualControl): Promise<void> {
    this.runs++;
    this.feeds.add(feed);
    if (this.runs === 3) perpetual.cancel();
  }
}

@Injectable()
class SignupService {
  constructor(
    private readonly docket: DocketService,
    private readonly tasks: EmailTasks,
  ) {}

  /** Welcomes a new user now, and reminds them in a day. */
  async signUp(email: string): Promise<string> {
    const execution = await this.docket.add(this.tasks.sendWelcome)(email);
    await this.docket.add(this.tasks.sendWelcome, { delay: 86_400_000 })(`${email} (reminder)`);
    return execution.key;
  }
}

@Controller('signups')
class SignupController {
  constructor(
    private readonly signups: SignupService,
    private readonly docket: DocketService,
  ) {}

  @Post()
  async create(@Body() body: { email: string }): Promise<{ key: string }> {
    return { key: await this.signups.signUp(body.email) };
  }

  @Sse(':key/events')
  async events(@Param('key') key: string): Promise<Observable<MessageEvent>> {
    const execution = await this.docket.getExecution(key);
    if (!execution) throw new NotFoundException(`No execution "${key}"`);
    return toSseEvents(execution.subscribe());
  }
}

@Module({
  // The production settings: DocketTestingModule replaces the URL, and starts no worker.
  imports: [DocketModule.forRoot({ url: 'redis://redis.invalid:6379/0' })],
  providers: [EmailTasks, FeedTasks, SignupService],
  controllers: [SignupController],
})
class AppModule {}

describe('DocketTestingModule: tasks, services and an SSE endpoint with no Redis', () => {
  let app: INestApplication;
  let tester: DocketTester;

  beforeEach(async () => {
    const moduleRef = await Test.createTestingModule({ imports: [AppModule, DocketTestingModule.forRoot()] }).compile();
    app = moduleRef.createNestApplication({ logger: new CapturingLogger() });
    await app.listen(0, '127.0.0.1');
    tester = app.get(DocketTester);
  });

  afterEach(() => app.close());

  it('runs what a service enqueued; what is due later waits for the clock', async () => {
    const tasks = app.get(EmailTasks);
    await app.get(SignupService).signUp('ada@example.com');
    await tester.expectScheduled('sendWelcome', ['ada@example.com']);
    await tester.expectTaskCount(2);

    await tester.runUntilFinished();
    expect(tasks.sent).toEqual(['ada@example.com']);
    await tester.expectScheduled('sendWelcome', ['ada@example.com (reminder)']);

    await tester.advanceBy(86_400_000);
    await tester.runUntilFinished();
    expect(tasks.sent).toEqual(['ada@example.com', 'ada@example.com (reminder)']);
    await tester.expectNoTasks();
  });

  it('moves a retry with the clock', async () => {
    const tasks = app.get(EmailTasks);
    await app.get(SignupService).signUp('bob@flaky.example');
    await tester.runUntilFinished();
    expect(tasks.sent).toEqual(['failed bob@flaky.example']);
    await tester.expectScheduled('sendWelcome', ['bob@flaky.example']);
    await tester.advanceBy(60_000);
    await tester.runUntilFinished();
    expect(tasks.sent).toEqual(['failed bob@flaky.example', 'bob@flaky.example']);
  });

  it('a perpetual task runs once per period of the moved clock, until @Perpetual() ends the chain', async () => {
    const feeds = app.get(FeedTasks);
    await app.get(DocketService).add(feeds.refreshFeed, { key: 'news' })('news');
    await tester.runUntilFinished();
    expect(feeds.runs).toBe(1);
    await tester.expectScheduled('refreshFeed', ['news']);
    await tester.advanceBy(60_000);
    await tester.runUntilFinished();
    expect(feeds.runs).toBe(2);
    await tester.advanceBy(60_000);
    await tester.runUntilFinished();
    expect(feeds.runs).toBe(3);
    await tester.expectNoTasks();
  });

  it('streams an execution over the controller’s SSE endpoint, snapshot first, to completed', async () => {
    const base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
    const created = await fetch(`${base}/signups`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'cy@example.com' }) });
    const { key } = (await created.json()) as { key: string };

    const response = await fetch(`${base}/signups/${key}/events`);
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    const read = (async (): Promise<void> => {
      while (!/"state":"completed"/.test(text)) {
        const { value, done } = await reader.read();
        if (done) return;
        text += value;
      }
      await reader.cancel();
    })();
    // The stream holds its snapshot (queued) before anything runs.
    await waitUntil(() => text.includes('event: snapshot'), 'the SSE stream sent its snapshot');
    expect(text).toMatch(/event: snapshot\nid: \d+\ndata: \{[^\n]*"state":"queued"/);
    await tester.runUntilFinished();
    await read;
    expect(text).toMatch(/event: state\nid: \d+\ndata: \{[^\n]*"state":"running"/);
    expect(text).toMatch(/event: progress\n/);
    expect(text).toMatch(/event: state\nid: \d+\ndata: \{[^\n]*"state":"completed"/);
  });
});
