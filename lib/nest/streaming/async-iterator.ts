/** An Observable as the async iterator a GraphQL subscription resolver returns. */
import type { Observable, Subscription } from 'rxjs';

/**
 * Turns an Observable into the `AsyncIterableIterator` a GraphQL subscription resolver returns
 * (graphql-ws, Apollo). It subscribes at once; values wait in a queue until pulled, an error is
 * thrown from the next pull, and completion ends the iteration. When the client unsubscribes (or
 * the connection closes) the server calls `return()`, which unsubscribes from the source: an
 * execution's subscription then gives back its channel.
 *
 * @example
 * \@Subscription(() => ExecutionEventUnion, { name: 'execution', resolve: (event: ExecutionEvent) => event })
 * async watch(@Args('key') key: string): Promise<AsyncIterableIterator<ExecutionEvent>> {
 *   const execution = await this.docket.getExecution(key);
 *   if (!execution) throw new GraphQLError(`No execution "${key}"`, { extensions: { code: 'NOT_FOUND' } });
 *   return toAsyncIterator(execution.subscribe());
 * }
 */
export function toAsyncIterator<T>(source: Observable<T>): AsyncIterableIterator<T> {
  const queue: IteratorResult<T>[] = [];
  const waiting: { resolve: (r: IteratorResult<T>) => void; reject: (e: unknown) => void }[] = [];
  let failure: { error: unknown } | undefined;
  let finished = false;
  const done = (): IteratorResult<T> => ({ value: undefined, done: true });

  const push = (result: IteratorResult<T>): void => {
    const next = waiting.shift();
    if (next) next.resolve(result);
    else queue.push(result);
  };
  const subscription: Subscription = source.subscribe({
    next: (value) => push({ value, done: false }),
    error: (error: unknown) => {
      failure = { error };
      for (const w of waiting.splice(0)) w.reject(error);
    },
    complete: () => {
      finished = true;
      for (const w of waiting.splice(0)) w.resolve(done());
    },
  });
  const stop = (): void => {
    subscription.unsubscribe();
    finished = true;
    queue.length = 0;
    for (const w of waiting.splice(0)) w.resolve(done());
  };

  return {
    next(): Promise<IteratorResult<T>> {
      const queued = queue.shift();
      if (queued) return Promise.resolve(queued);
      if (failure) {
        const { error } = failure;
        failure = undefined;
        finished = true;
        return Promise.reject(error);
      }
      if (finished) return Promise.resolve(done());
      return new Promise((resolve, reject) => waiting.push({ resolve, reject }));
    },
    return(): Promise<IteratorResult<T>> {
      stop();
      return Promise.resolve(done());
    },
    throw(error?: unknown): Promise<IteratorResult<T>> {
      stop();
      return Promise.reject(error);
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
