import { Controller, Injectable, Module, Scope } from '@nestjs/common';
import { DocketModule, DocketService, DuplicateTaskError, Task, UnknownTaskDocketError } from 'nestjs-docket';
import { redisUrl, uniqueName } from '../support/docket-test';
import { bootModule, CapturingLogger } from './nest-test';

const TASK_NAMES = Symbol('TASK_NAMES');

/** A docket that adds nothing and runs no worker, so it writes no key. */
const docketModule = (): ReturnType<typeof DocketModule.forRoot> =>
  DocketModule.forRoot({ name: uniqueName('explorer'), url: redisUrl(), worker: false });

describe('DocketExplorer', () => {
  it('registers @Task() methods of providers and controllers by method name or given name', async () => {
    @Injectable()
    class Tasks {
      @Task()
      async plain(): Promise<void> {}
      @Task('renamed.task')
      async named(): Promise<void> {}
      @Task({ name: 'with.options' })
      async withOptions(): Promise<void> {}
      notATask(): void {}
    }
    @Controller()
    class TasksController {
      @Task()
      async fromController(): Promise<void> {}
    }
    const app = await bootModule({ imports: [docketModule()], providers: [Tasks], controllers: [TasksController] });
    const service = app.get(DocketService);
    expect(service.docket.tasks.names()).toEqual(['fromController', 'plain', 'renamed.task', 'with.options']);
    expect(service.docket.tasks.get('plain')?.origin).toBe('Tasks.plain');
    await app.close();
  });

  it('takes task options from a factory that injects providers from anywhere in the app', async () => {
    @Module({ providers: [{ provide: TASK_NAMES, useValue: { cleanup: 'maintenance.cleanup' } }], exports: [TASK_NAMES] })
    class TaskConfigModule {}
    @Injectable()
    class Maintenance {
      @Task({ inject: [TASK_NAMES], useFactory: async (names: { cleanup: string }) => ({ name: names.cleanup }) })
      async cleanup(): Promise<void> {}
    }
    const app = await bootModule({ imports: [TaskConfigModule, docketModule()], providers: [Maintenance] });
    expect(app.get(DocketService).docket.tasks.names()).toEqual(['maintenance.cleanup']);
    await app.close();
  });

  it('fails startup when two methods claim one task name, naming both classes and methods', async () => {
    @Injectable()
    class Billing {
      @Task('charge')
      async chargeCard(): Promise<void> {}
    }
    @Injectable()
    class Payments {
      @Task()
      async charge(): Promise<void> {}
    }
    const boot = bootModule({ imports: [docketModule()], providers: [Billing, Payments] });
    await expect(boot).rejects.toThrow(DuplicateTaskError);
    await expect(boot).rejects.toThrow(/"charge" is registered twice \(Billing\.chargeCard and Payments\.charge\)/);
  });

  it('skips a @Task() on a request-scoped or transient provider with a warning, and still starts', async () => {
    @Injectable({ scope: Scope.REQUEST })
    class PerRequest {
      @Task()
      async scoped(): Promise<void> {}
    }
    @Injectable({ scope: Scope.TRANSIENT })
    class PerInjection {
      @Task()
      async transient(): Promise<void> {}
    }
    @Injectable()
    class Singleton {
      @Task()
      async kept(): Promise<void> {}
    }
    const logger = new CapturingLogger();
    const app = await bootModule({ imports: [docketModule()], providers: [PerRequest, PerInjection, Singleton] }, logger);
    expect(app.get(DocketService).docket.tasks.names()).toEqual(['kept']);
    const warnings = logger.lines().filter((l) => l.startsWith('WARN'));
    expect(warnings).toEqual([
      expect.stringContaining('@Task() PerRequest.scoped is on a request-scoped or transient provider'),
      expect.stringContaining('@Task() PerInjection.transient is on a request-scoped or transient provider'),
    ]);
    await app.close();
  });

  it('fails startup when a task names a docket the app does not have', async () => {
    @Injectable()
    class Misplaced {
      @Task({ docket: 'nowhere' })
      async lost(): Promise<void> {}
    }
    const boot = bootModule({ imports: [docketModule()], providers: [Misplaced] });
    await expect(boot).rejects.toThrow(UnknownTaskDocketError);
    await expect(boot).rejects.toThrow(/Misplaced\.lost belongs to docket "nowhere"/);
  });
});
