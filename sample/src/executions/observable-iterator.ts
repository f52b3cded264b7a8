import type { Observable, Subscription } from 'rxjs';

/**
 * An Observable as the async iterator a GraphQL subscription resolver returns. Values wait in a
 * queue until pulled; `return()` (the client unsubscribed) unsubscribes from the source.
 */
export function toAsyncIterator<T>(source: Observable<T>): AsyncIterableIterator<T> {
  const queue: IteratorResult<T>[] = [];
  const waiting: { resolve: (r: IteratorResult<T>) => void; reject: (e: unknown) => void }[] = [];
  let failure: { error: unknown } | undefined;
  let finished = false;

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
      for (const w of waiting.splice(0)) w.resolve({ value: undefined, done: true });
    },
  });

  return {
    next(): Promise<IteratorResult<T>> {
      const queued = queue.shift();
      if (queued) return Promise.resolve(queued);
      if (failure) return Promise.reject(failure.error);
      if (finished) return Promise.resolve({ value: undefined, done: true });
      return new Promise((resolve, reject) => waiting.push({ resolve, reject }));
    },
    return(): Promise<IteratorResult<T>> {
      subscription.unsubscribe();
      finished = true;
      queue.length = 0;
      return Promise.resolve({ value: undefined, done: true });
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
