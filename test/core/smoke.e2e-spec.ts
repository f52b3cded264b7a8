import { ExecutionState, Worker, currentTask } from '../../lib';
import { dropDocket, leakedKeys, testDocket } from '../support/docket-test';

describe('smoke', () => {
  it('adds, runs and returns a result', async () => {
    const docket = testDocket();
    async function double(n: number): Promise<number> {
      const { progress } = currentTask();
      await progress.setTotal(2);
      await progress.increment();
      await progress.increment();
      return n * 2;
    }
    docket.register(double);
    const worker = new Worker(docket);
    const execution = await docket.add(double)(21);
    expect(execution.state).toBe(ExecutionState.QUEUED);
    const events: string[] = [];
    const sub = execution.subscribe().subscribe((e) => events.push(e.type === 'state' ? e.state : `${e.current}/${e.total}`));
    await worker.runUntilFinished();
    await expect(execution.getResult({ timeout: 5000 })).resolves.toBe(42);
    sub.unsubscribe();
    // Snapshot first, then every change; the two increments may reach Redis as one write.
    expect(events.slice(0, 2)).toEqual(['queued', 'running']);
    expect(events.at(-1)).toBe('completed');
    const progress = events.slice(2, -1);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.every((p) => /^[0-2]\/2$/.test(p))).toBe(true);
    expect(progress.at(-1)).toBe('2/2');
    expect(await leakedKeys(docket)).toEqual([]);
    await docket.close();
    await dropDocket(docket);
  });
});
