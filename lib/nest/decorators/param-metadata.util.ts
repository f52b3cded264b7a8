import 'reflect-metadata';
import { PARAM_DECORATOR_MISPLACED } from '../docket.messages';

/**
 * Makes a parameter decorator that appends `{ index, ...entry }` to a list kept under `key` on
 * the method itself, where the metadata accessor reads it back.
 *
 * @example
 * export const Progress = (): ParameterDecorator => paramDecorator(TASK_PARAMS_METADATA, 'Progress', { kind: 'progress' });
 */
export function paramDecorator<T extends object>(key: string, decorator: string, entry: T): ParameterDecorator {
  return (target, propertyKey, index) => {
    if (propertyKey === undefined) {
      throw new TypeError(PARAM_DECORATOR_MISPLACED(decorator, (target as { name?: string }).name ?? 'a class'));
    }
    const method = (target as Record<string | symbol, object>)[propertyKey];
    const list = (Reflect.getMetadata(key, method) as (T & { index: number })[] | undefined) ?? [];
    Reflect.defineMetadata(key, [...list, { ...entry, index }], method);
  };
}
