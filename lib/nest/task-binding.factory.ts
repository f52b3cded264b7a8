/**
 * Turns a `@Task()` method into what the core registers: an `invoke` that calls the method on its
 * provider with the injected parameters spliced in at their indexes, and a `describe` that renders
 * the caller's arguments for log lines.
 */
import { Logger } from '@nestjs/common';
import type { Execution } from '../core/execution/execution';
import type { TaskContext } from '../core/worker/task-context';
import type { TaskInvoker } from '../core/tasks/task-registry';
import { renderCall, type CallParam } from './call-repr';
import type { DocketService } from './docket.service';
import type { InjectedParam, InjectedParamKind, LoggedParam } from './interfaces/task-param.interface';
import { parameterNames, type ParameterName } from '../core/tasks/parameter-names';

/** A `@Task()` method and what its decorators say about its parameters. */
export interface TaskMethod {
  readonly instance: object;
  readonly method: (...args: unknown[]) => unknown;
  readonly taskName: string;
  readonly injected: readonly InjectedParam[];
  readonly logged: readonly LoggedParam[];
  /** The docket the task is registered with; `@CurrentDocket()` injects it. */
  readonly service: DocketService;
}

/** What `docket.register()` needs besides the function and name. */
export interface TaskBinding {
  readonly invoke: TaskInvoker;
  readonly describe: (args: unknown[]) => string;
  /** The caller's parameters by position (injected ones left out), for strikes by parameter. */
  readonly parameters: readonly ParameterName[];
}

/**
 * Binds `task` for the core.
 *
 * @example
 * const { invoke, describe } = createTaskBinding({ instance, method, taskName, injected, logged, service });
 * docket.register(method, { name: taskName, invoke, describe, origin: 'OrderTasks.processOrder' });
 */
export function createTaskBinding(task: TaskMethod): TaskBinding {
  const names = parameterNames(task.method);
  const injectedAt = new Map(task.injected.map((p) => [p.index, p.kind]));
  const loggedAt = new Map(task.logged.map((p) => [p.index, p]));
  const arity = Math.max(names.length, ...task.injected.map((p) => p.index + 1));

  // The caller's argument positions: the method's parameters minus the injected ones.
  const callParams: CallParam[] = [];
  for (let i = 0; i < arity; i++) {
    if (injectedAt.has(i)) continue;
    const logged = loggedAt.get(i);
    callParams.push({ name: names[i]?.name ?? `arg${i}`, rest: names[i]?.rest ?? false, logged });
  }

  const invoke: TaskInvoker = (args, context) => {
    const values = new Map<number, unknown>();
    const pending: Promise<unknown>[] = [];
    for (const [index, kind] of injectedAt) {
      const value = injectedValue(kind, context, task.service);
      if (value instanceof Promise) pending.push(value.then((v) => values.set(index, v)));
      else values.set(index, value);
    }
    const call = (): unknown => task.method.apply(task.instance, splice(args, values, arity));
    return pending.length ? Promise.all(pending).then(call) : call();
  };

  return {
    invoke,
    describe: (args) => renderCall(task.taskName, callParams, args),
    parameters: callParams.map(({ name, rest }) => ({ name, rest })),
  };
}

/** The full argument list: injected values at their indexes, the caller's in the gaps, in order. */
function splice(args: readonly unknown[], injected: ReadonlyMap<number, unknown>, arity: number): unknown[] {
  const full: unknown[] = [];
  let next = 0;
  for (let i = 0; i < arity; i++) full.push(injected.has(i) ? injected.get(i) : args[next++]);
  // A trailing `...rest` parameter takes whatever the caller passed beyond the named ones.
  while (next < args.length) full.push(args[next++]);
  return full;
}

function injectedValue(kind: InjectedParamKind, context: TaskContext, service: DocketService): unknown {
  switch (kind) {
    case 'progress':
      return context.progress;
    case 'logger':
      return new Logger(
        `Docket:${context.docketName} ${context.taskName}{${context.key}} worker=${context.worker} attempt=${context.attempt}`,
      );
    case 'docket':
      return service;
    case 'key':
      return context.key;
    case 'cancellation':
      return context.signal;
    case 'perpetual':
      return context.perpetual;
    case 'execution':
      return currentExecution(context, service);
  }
}

/** The running execution, read from Redis so that `when`, `startedAt` and the rest are true. */
function currentExecution(context: TaskContext, service: DocketService): Promise<Execution> {
  return service.docket.execution(context.key).sync();
}
