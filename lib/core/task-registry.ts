import { DuplicateTaskError, InvalidOptionsError, UnknownTaskError } from './errors/docket.errors';
import type { TaskContext } from './task-context';

/**
 * Any function that can be a task. Its arguments travel through the codec; its (awaited)
 * return value is the execution's result.
 *
 * @example
 * const sendEmail: TaskFunction = async (to: string) => ({ sent: true });
 */
export type TaskFunction = (...args: never[]) => unknown;

/** How a registered task is called; the Nest layer supplies one that injects parameters. */
export type TaskInvoker = (args: unknown[], context: TaskContext) => unknown;

/** A task as the registry knows it. */
export interface TaskDefinition {
  readonly name: string;
  readonly fn: TaskFunction;
  readonly invoke: TaskInvoker;
  /** Where it was declared, for error messages (`OrderTasks.processOrder`). */
  readonly origin?: string;
  /** Renders a call for logs; without it, arguments are never shown. */
  readonly describe?: (args: unknown[]) => string;
}

/**
 * Options of `docket.register`.
 *
 * @example
 * docket.register(sendEmail, { name: 'emails.send' });
 */
export interface RegisterOptions {
  /** The name on the wire; workers find the task by it. @default the function's name */
  name?: string;
  /** @internal How to call it; defaults to calling the function with the arguments. */
  invoke?: TaskInvoker;
  /** @internal Where it was declared, for error messages. */
  origin?: string;
  /** @internal Renders a call for logs (the Nest layer honours @Logged). */
  describe?: (args: unknown[]) => string;
}

/** The tasks of one docket, by name and by function. */
export class TaskRegistry {
  private readonly byName = new Map<string, TaskDefinition>();
  private readonly byFn = new Map<TaskFunction, TaskDefinition>();

  register(fn: TaskFunction, options: RegisterOptions = {}): TaskDefinition {
    const name = options.name ?? fn.name;
    if (!name) {
      throw new InvalidOptionsError('An anonymous function cannot be registered as a task: pass { name }.');
    }
    const existing = this.byName.get(name);
    if (existing) {
      if (existing.fn === fn) return existing;
      const where = [existing.origin, options.origin].filter(Boolean).join(' and ');
      throw new DuplicateTaskError(name, where);
    }
    const definition: TaskDefinition = {
      name,
      fn,
      origin: options.origin,
      describe: options.describe,
      invoke: options.invoke ?? ((args) => (fn as (...a: unknown[]) => unknown)(...args)),
    };
    this.byName.set(name, definition);
    this.byFn.set(fn, definition);
    return definition;
  }

  /** The definition for a name or function; functions not yet known are registered. */
  resolve(task: TaskFunction | string): TaskDefinition {
    if (typeof task !== 'string') return this.byFn.get(task) ?? this.register(task);
    const found = this.byName.get(task);
    if (!found) throw new UnknownTaskError(task, this.names());
    return found;
  }

  /** The definition registered for `fn`, without registering it. */
  find(fn: TaskFunction): TaskDefinition | undefined {
    return this.byFn.get(fn);
  }

  get(name: string): TaskDefinition | undefined {
    return this.byName.get(name);
  }

  names(): string[] {
    return [...this.byName.keys()].sort();
  }
}
