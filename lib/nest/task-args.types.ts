import type { LoggerService } from '@nestjs/common';
import type { Docket } from '../core/producer/docket';
import type { Execution } from '../core/execution/execution';
import type { ExecutionProgress } from '../core/execution/execution-progress';
import type { PerpetualControl } from '../core/tasks/perpetual';
import type { TaskFunction } from '../core/tasks/task-registry';
import type { TaskKey } from './decorators/task-params.decorator';

/**
 * `DocketService` by what sets it apart: it holds a core Docket, which no caller could send.
 * (Naming the class here would make this file and the service import each other.)
 */
interface HoldsDocket {
  readonly docket: Docket;
}

/**
 * The types of the parameters the worker injects. None of them is data a caller could send (they
 * hold functions, or, for the key, a brand), so a parameter of one of these types is injected.
 */
type InjectedType = ExecutionProgress | LoggerService | HoldsDocket | Docket | Execution | AbortSignal | TaskKey | PerpetualControl;

type IsInjected<T> = 0 extends 1 & T ? false : [T] extends [never] ? false : [T] extends [InjectedType] ? true : false;

/**
 * Drops the injected elements of a parameter tuple, keeping the labels and optionality of the
 * rest. `[...Head, ...Rest]` is matched instead of `[infer Head, ...]` because only the former
 * keeps the element's label for editor hints. Variable-length tuples are left as they are.
 */
type CallerParams<P extends readonly unknown[]> = number extends P['length']
  ? P
  : P extends readonly []
    ? []
    : P extends readonly [unknown?, ...infer Rest]
      ? P extends readonly [...infer Head, ...Rest]
        ? IsInjected<Exclude<P[0], undefined>> extends true
          ? CallerParams<Rest>
          : [...Head, ...CallerParams<Rest>]
        : never
      : P;

/**
 * The arguments a caller passes to a task: its parameters without the injected ones
 * (`@Progress()`, `@TaskLogger()`, `@CurrentDocket()`, `@CurrentExecution()`, `@TaskKey()`,
 * `@Cancellation()`).
 *
 * @example
 * // processOrder(orderId: number, card: string, progress: ExecutionProgress)
 * type Args = TaskCallerArgs<OrderTasks['processOrder']>; // [orderId: number, card: string]
 */
export type TaskCallerArgs<F extends TaskFunction> = CallerParams<Parameters<F>>;
