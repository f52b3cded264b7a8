import { Injectable, Module } from '@nestjs/common';
import type { TestingModule } from '@nestjs/testing';
import {
  DocketModule,
  DocketService,
  ExecutionState,
  getDocketToken,
  InjectDocket,
  JsonCodec,
  Task,
  type DocketModuleOptions,
  type DocketOptionsFactory,
} from 'nestjs-docket';
import { setWorkerOverrides } from '../../lib/nest/worker-overrides';
import { dropDocket, leakedKeys, redisUrl, uniqueName, waitUntil } from '../support/docket-test';
import { bootModule } from './nest-test';

const CONFIG = Symbol('CONFIG');

@Injectable()
class EchoTasks {
  @Task()
  async echo(value: string): Promise<string> {
    return `echo:${value}`;
  }
}

/** Runs `echo` through the service and checks that the module's worker ran it. */
async function roundTrip(service: DocketService, app: TestingModule): Promise<void> {
  const execution = await service.add(app.get(EchoTasks).echo)('hi');
  await expect(execution.getResult({ timeout: 10_000 })).resolves.toBe('echo:hi');
}

/** Closes the app, then checks its dockets left nothing behind and removes them. */
async function closeAndClean(app: TestingModule, ...services: DocketService[]): Promise<void> {
  await app.close();
  for (const service of services) {
    expect(await leakedKeys(service.docket)).toEqual([]);
    await dropDocket(service.docket);
  }
}

describe('DocketModule', () => {
  it('forRoot provides DocketService by class and by name, and runs a worker', async () => {
    const name = uniqueName('root');
    const codec = new JsonCodec();
    const app = await bootModule({ imports: [DocketModule.forRoot({ name, url: redisUrl(), codec })], providers: [EchoTasks] });
    const service = app.get(DocketService);
    expect(service.name).toBe(name);
    expect(service.docket.codec).toBe(codec);
    expect(app.get(getDocketToken(name))).toBe(service);
    await roundTrip(service, app);
    await closeAndClean(app, service);
  });

  it("with logFormat: 'json' writes the docket's log lines as JSON objects, with the docket as context", async () => {
    const name = uniqueName('json-logs');
    const written: string[] = [];
    const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    try {
      const app = await bootModule({ imports: [DocketModule.forRoot({ name, url: redisUrl(), logFormat: 'json' })], providers: [EchoTasks] });
      const service = app.get(DocketService);
      await roundTrip(service, app);
      await closeAndClean(app, service);
    } finally {
      write.mockRestore();
    }
    const lines = written.join('').split('\n').filter((l) => l.includes(`Docket:${name}`));
    const started = lines.map((l) => JSON.parse(l) as { level: string; context: string; message: string }).find((e) => e.message.includes('started on docket'));
    expect(started).toMatchObject({ level: 'log', context: `Docket:${name}` });
    expect(lines.some((l) => l.includes('echo('))).toBe(true);
  });

  it('forRootAsync with useFactory injects what its imports provide', async () => {
    const name = uniqueName('factory');
    @Module({ providers: [{ provide: CONFIG, useValue: { url: redisUrl(), name } }], exports: [CONFIG] })
    class ConfigModule {}
    const app = await bootModule({
      imports: [
        DocketModule.forRootAsync({
          imports: [ConfigModule],
          inject: [CONFIG],
          useFactory: (config: { url: string; name: string }): DocketModuleOptions => ({ url: config.url, name: config.name }),
        }),
      ],
      providers: [EchoTasks],
    });
    const service = app.get(DocketService);
    expect(service.name).toBe(name);
    expect(service.alias).toBe('docket');
    await roundTrip(service, app);
    await closeAndClean(app, service);
  });

  it('forRootAsync with useClass asks a new instance of the class', async () => {
    const name = uniqueName('class');
    @Injectable()
    class DocketConfig implements DocketOptionsFactory {
      createDocketOptions(): DocketModuleOptions {
        return { url: redisUrl(), executionTtl: 60_000 };
      }
    }
    const app = await bootModule({ imports: [DocketModule.forRootAsync({ name, useClass: DocketConfig })], providers: [EchoTasks] });
    const service = app.get<DocketService>(getDocketToken(name));
    expect(service.name).toBe(name);
    expect(service.docket.executionTtl).toBe(60_000);
    await roundTrip(service, app);
    await closeAndClean(app, service);
  });

  it('forRootAsync with useExisting asks a provider its imports export', async () => {
    const name = uniqueName('existing');
    @Injectable()
    class SharedConfig implements DocketOptionsFactory {
      calls = 0;
      async createDocketOptions(): Promise<DocketModuleOptions> {
        this.calls++;
        return { url: redisUrl(), worker: { concurrency: 2 } };
      }
    }
    @Module({ providers: [SharedConfig], exports: [SharedConfig] })
    class ConfigModule {}
    const app = await bootModule({
      imports: [ConfigModule, DocketModule.forRootAsync({ name, imports: [ConfigModule], useExisting: SharedConfig })],
      providers: [EchoTasks],
    });
    expect(app.get(SharedConfig).calls).toBe(1);
    const service = app.get(DocketService);
    await roundTrip(service, app);
    await waitUntil(async () => (await service.docket.workers()).length === 1, 'the worker heartbeats');
    expect((await service.docket.workers())[0].concurrency).toBe(2);
    await closeAndClean(app, service);
  });

  it('isGlobal makes DocketService injectable in modules that do not import it', async () => {
    @Injectable()
    class Producer {
      constructor(readonly docket: DocketService) {}
    }
    @Module({ providers: [Producer], exports: [Producer] })
    class FeatureModule {}
    const app = await bootModule({
      imports: [DocketModule.forRoot({ isGlobal: true, name: uniqueName('global'), url: redisUrl(), worker: false }), FeatureModule],
    });
    const service = app.get(DocketService);
    expect(app.get(Producer).docket).toBe(service);
    await closeAndClean(app, service);
  });

  it('hosts several dockets, each injectable by name and running its own tasks', async () => {
    const emails = uniqueName('emails');
    const reports = uniqueName('reports');
    @Injectable()
    class Tasks {
      @Task({ docket: emails })
      async send(to: string): Promise<string> {
        return `sent:${to}`;
      }
      @Task({ docket: reports })
      async build(id: number): Promise<string> {
        return `report:${id}`;
      }
    }
    @Injectable()
    class Producer {
      constructor(
        @InjectDocket(emails) readonly emails: DocketService,
        @InjectDocket(reports) readonly reports: DocketService,
      ) {}
    }
    const app = await bootModule({
      imports: [DocketModule.forRoot({ name: emails, url: redisUrl() }), DocketModule.forRoot({ name: reports, url: redisUrl() })],
      providers: [Tasks, Producer],
    });
    const producer = app.get(Producer);
    const tasks = app.get(Tasks);
    expect([producer.emails.name, producer.reports.name]).toEqual([emails, reports]);
    expect(producer.emails.docket.tasks.names()).toEqual(['send']);
    expect(producer.reports.docket.tasks.names()).toEqual(['build']);
    const sent = await producer.emails.add(tasks.send)('ada@example.com');
    const built = await producer.reports.add(tasks.build)(7);
    await expect(sent.getResult({ timeout: 10_000 })).resolves.toBe('sent:ada@example.com');
    await expect(built.getResult({ timeout: 10_000 })).resolves.toBe('report:7');
    expect(() => producer.emails.add(tasks.build)).toThrow(`build is not a task of docket "${emails}"`);
    await closeAndClean(app, producer.emails, producer.reports);
  });

  it('passes tls to the docket, which refuses it for a URL without TLS at startup', async () => {
    await expect(
      bootModule({ imports: [DocketModule.forRoot({ name: uniqueName('tls'), url: redisUrl(), tls: { rejectUnauthorized: false }, worker: false })] }),
    ).rejects.toThrow(/tls options were given for .*, which does not use TLS/);
  });

  it('runs no worker with worker: false', async () => {
    const app = await bootModule({
      imports: [DocketModule.forRoot({ name: uniqueName('api'), url: redisUrl(), worker: false })],
      providers: [EchoTasks],
    });
    const service = app.get(DocketService);
    const execution = await service.add(app.get(EchoTasks).echo)('hi');
    expect(await service.docket.workers()).toEqual([]);
    expect((await execution.sync()).state).toBe(ExecutionState.QUEUED);
    expect(await service.cancel(execution.key)).toBe('cancelled');
    await closeAndClean(app, service);
  });

  it('runs a worker with the overrides of `docket worker`, even over worker: false', async () => {
    const workerName = uniqueName('override');
    setWorkerOverrides({ name: workerName, concurrency: 3 });
    let app: TestingModule;
    try {
      app = await bootModule({
        imports: [DocketModule.forRoot({ name: uniqueName('overridden'), url: redisUrl(), worker: false })],
        providers: [EchoTasks],
      });
    } finally {
      setWorkerOverrides(undefined);
    }
    const service = app.get(DocketService);
    await roundTrip(service, app);
    await waitUntil(async () => (await service.docket.workers()).length === 1, 'the worker heartbeats');
    expect(await service.docket.workers()).toEqual([expect.objectContaining({ name: workerName, concurrency: 3 })]);
    await closeAndClean(app, service);
  });
});
