import { lastValueFrom, toArray } from 'rxjs';
import { Docket, type ExecutionEvent } from '../../lib';
import { MemoryLogger, uniqueName, itOnRedis } from '../support/docket-test';
import { proxiedRedis } from '../support/tcp-proxy';

/**
 * A first subscribe whose snapshot read is slower than the live events: a proxy holds back the
 * answer to the read while events older than, as old as and newer than the snapshot arrive on
 * the subscriber connection. Only the newer one may follow the snapshot, once, in order.
 */
describe('a subscribe whose snapshot comes after live events', () => {
  const redis = proxiedRedis();

  itOnRedis('drops the live events the snapshot already covers and emits the rest once, in sequence order', async () => {
    const docket = new Docket({ name: uniqueName('order'), url: redis.proxy.url, logger: new MemoryLogger() });
    docket.register(async function idle(): Promise<void> {});
    try {
      const execution = await docket.add('idle', { delay: 60_000 })();
      const channel = docket.keys.events(execution.key);
      // The record as the snapshot will read it: seq 3.
      await redis.admin.hset(docket.keys.runs(execution.key), 'seq', 3, 'sseq', 3);
      const snapshotRead = redis.proxy.holdOnce(/docket:command/, (reply) => reply.includes('sseq'));
      const event = (seq: number, state: string): string => JSON.stringify({ type: 'state', key: execution.key, seq, state });
      // A listener of the same subscriber, heard in the same turn as the execution's own.
      let heardLast!: () => void;
      const heard = new Promise<void>((resolve) => (heardLast = resolve));
      const unlisten = await docket.hub().listen(channel, { onMessage: (message) => message.includes('"seq":1,') && heardLast() });
      const seen = lastValueFrom(execution.subscribe().pipe(toArray()));
      await snapshotRead.held;
      // Heard before the snapshot: newer than it, older than it, as old as it, and out of order.
      for (const [seq, state] of [[4, 'running'], [2, 'queued'], [3, 'scheduled'], [1, 'scheduled']] as const) await redis.admin.publish(channel, event(seq, state));
      await heard;
      unlisten();
      snapshotRead.release();
      const delivered = redis.proxy.delivered(/docket:subscriber/, (reply) => reply.includes('"seq":5'));
      await redis.admin.publish(channel, event(5, 'completed'));
      await delivered;
      const events: ExecutionEvent[] = await seen;
      expect(events.map((e) => `${e.seq} ${e.type === 'state' ? e.state : e.type}`)).toEqual(['3 scheduled', '4 running', '5 completed']);
    } finally {
      await docket.close();
    }
  });
});
