/**
 * Compile-time checks of DocketService.add/replace: the caller passes exactly the task's own
 * arguments (injected parameters left out) and getResult() has the task's return type. The suite
 * runs `tsc --noEmit` over test/ first, so each @ts-expect-error below must be a real error.
 */
import type { LoggerService } from '@nestjs/common';
import {
  Docket,
  DocketService,
  type Execution,
  type ExecutionProgress,
  type TaskCallerArgs,
  type TaskKey,
  TaskNotRegisteredError,
} from 'nestjs-docket';

class OrderTasks {
  async processOrder(
    orderId: number,
    card: string,
    progress: ExecutionProgress,
    logger: LoggerService,
    items?: string[],
  ): Promise<{ total: number }> {
    void progress;
    void logger;
    return { total: orderId + card.length + (items?.length ?? 0) };
  }

  async everyInjection(
    docket: DocketService,
    execution: Execution,
    key: TaskKey,
    signal: AbortSignal,
    label: string,
  ): Promise<string> {
    return `${docket.name}${execution.key}${key}${signal.aborted}${label}`;
  }

  sync(n: number): bigint {
    return BigInt(n);
  }
}

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const assertType = <T extends true>(value: T): T => value;

/** Never called: what matters is that it compiles, and that each @ts-expect-error is needed. */
export async function typeChecks(service: DocketService, tasks: OrderTasks): Promise<void> {
  const execution = await service.add(tasks.processOrder)(12345, 'card');
  await service.add(tasks.processOrder, { delay: 1_000 })(12345, 'card', ['a', 'b']);
  const result: { total: number } = await execution.getResult();
  void result;
  assertType<Equal<Awaited<ReturnType<typeof execution.getResult>>, { total: number }>>(true);
  assertType<Equal<TaskCallerArgs<OrderTasks['processOrder']>, [orderId: number, card: string, items?: string[]]>>(true);
  assertType<Equal<TaskCallerArgs<OrderTasks['everyInjection']>, [label: string]>>(true);

  // @ts-expect-error the card is missing
  await service.add(tasks.processOrder)(12345);
  // @ts-expect-error the order id is a number
  await service.add(tasks.processOrder)('12345', 'card');
  // @ts-expect-error the progress is injected, never passed
  await service.add(tasks.processOrder)(12345, 'card', {} as ExecutionProgress);
  // @ts-expect-error one argument too many
  await service.add(tasks.processOrder)(12345, 'card', ['a'], 'extra');
  // @ts-expect-error the result is not a string
  const wrong: string = await execution.getResult();
  void wrong;

  await service.add(tasks.everyInjection)('label');
  // @ts-expect-error a TaskKey parameter is injected, so a second string is one too many
  await service.add(tasks.everyInjection)('label', 'key');

  const big = await service.replace(tasks.sync, { key: 'k' })(1);
  assertType<Equal<Awaited<ReturnType<typeof big.getResult>>, bigint>>(true);
  // @ts-expect-error replace is typed like add
  await service.replace(tasks.sync, { key: 'k' })('1');

  const byName = await service.add<number>('processOrder')(1, 'anything', 'goes');
  assertType<Equal<Awaited<ReturnType<typeof byName.getResult>>, number>>(true);
}

describe('DocketService typing', () => {
  it('resolves a registered method to its task name and rejects an unregistered one', async () => {
    const docket = new Docket({ name: 'typing' });
    const tasks = new OrderTasks();
    docket.register(tasks.processOrder, { name: 'orders.process' });
    const service = new DocketService(docket, 'typing');
    expect(typeof service.add(tasks.processOrder)).toBe('function');
    expect(() => service.add(tasks.sync)).toThrow(TaskNotRegisteredError);
    expect(() => service.add(tasks.sync)).toThrow(/sync is not a task of docket "typing" \(its tasks: orders.process\)/);
    expect(typeChecks).toBeInstanceOf(Function);
    await docket.close();
  });
});
