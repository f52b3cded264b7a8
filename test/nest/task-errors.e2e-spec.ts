import { ForbiddenException, HttpException, ImATeapotException, Injectable } from '@nestjs/common';
import { DocketModule, DocketService, DocketTaskError, Task } from 'nestjs-docket';
import { dropDocket, leakedKeys, redisUrl, uniqueName } from '../support/docket-test';
import { bootModule } from './nest-test';

class PaymentDeclinedError extends Error {
  override name = 'PaymentDeclinedError';
  constructor(readonly code: string) {
    super(`declined: ${code}`);
  }
}

class UnregisteredError extends Error {}

@Injectable()
class FailingTasks {
  @Task()
  async forbidden(): Promise<void> {
    throw new ForbiddenException({ reason: 'not your order', orderId: 7 }, { cause: new Error('policy') });
  }

  @Task()
  async teapot(): Promise<void> {
    throw new ImATeapotException();
  }

  @Task()
  async declined(): Promise<void> {
    throw new PaymentDeclinedError('insufficient-funds');
  }

  @Task()
  async unknown(): Promise<void> {
    throw new UnregisteredError('who knows');
  }
}

describe('task failures through getResult()', () => {
  it("rethrows Nest HttpExceptions with status and response, registered classes as themselves, the rest as DocketTaskError", async () => {
    const app = await bootModule({
      imports: [DocketModule.forRoot({ name: uniqueName('errors'), url: redisUrl(), errors: [PaymentDeclinedError] })],
      providers: [FailingTasks],
    });
    const service = app.get(DocketService);
    const tasks = app.get(FailingTasks);
    const failure = async (task: () => Promise<void>): Promise<unknown> =>
      (await service.add(task)()).getResult({ timeout: 10_000 }).then(
        () => undefined,
        (err: unknown) => err,
      );

    const forbidden = await failure(tasks.forbidden);
    expect(forbidden).toBeInstanceOf(ForbiddenException);
    expect(forbidden).toBeInstanceOf(HttpException);
    expect((forbidden as HttpException).getStatus()).toBe(403);
    expect((forbidden as HttpException).getResponse()).toEqual({ reason: 'not your order', orderId: 7 });
    expect((forbidden as Error).cause).toEqual(expect.objectContaining({ message: 'policy' }));

    const teapot = await failure(tasks.teapot);
    expect(teapot).toBeInstanceOf(ImATeapotException);
    expect((teapot as HttpException).getResponse()).toEqual({ statusCode: 418, message: "I'm a teapot" });

    const declined = await failure(tasks.declined);
    expect(declined).toBeInstanceOf(PaymentDeclinedError);
    expect(declined).toMatchObject({ code: 'insufficient-funds', message: 'declined: insufficient-funds' });

    const unknown = await failure(tasks.unknown);
    expect(unknown).toBeInstanceOf(DocketTaskError);
    expect(unknown).toMatchObject({ message: 'who knows' });

    await app.close();
    expect(await leakedKeys(service.docket)).toEqual([]);
    await dropDocket(service.docket);
  });
});
