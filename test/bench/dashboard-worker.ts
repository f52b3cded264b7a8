/**
 * The worker process of the dashboard bench: runs `hold` executions, each reporting progress every
 * `every` ms until its `steps` are done. Usage: dashboard-worker.ts URL DOCKET CONCURRENCY
 */
import { Docket, Worker, currentTask } from '../../lib';

const [url, name, concurrency] = process.argv.slice(2);
const silent = { log: (): void => undefined, warn: (): void => undefined, error: (): void => undefined };
const docket = new Docket({ name, url, logger: silent, executionTtl: 0 });
docket.register(async function hold(steps: number, every: number): Promise<void> {
  const { progress } = currentTask();
  await progress.setTotal(steps);
  for (let i = 0; i < steps; i++) {
    await new Promise((resolve) => setTimeout(resolve, every));
    await progress.increment();
  }
});
const worker = new Worker(docket, { concurrency: Number(concurrency), name: `bench-dashboard-${process.pid}` });
process.once('SIGTERM', () => void worker.stop({ drainTimeout: 0 }).then(() => docket.close()).then(() => process.exit(0)));
void worker.runForever();
