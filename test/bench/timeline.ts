/**
 * Where an idle add → result goes, hop by hop: every socket write and read of the producer (this
 * process) and of the worker (a child process) is stamped on CLOCK_MONOTONIC, which both
 * processes share, while tasks are added one at a time and their results awaited, as in the
 * bench's end-to-end scenario. Prints the median and p90 of each leg:
 *
 *   add → write           the producer's add call until it writes to Redis
 *   write → worker read   Redis runs the add (and, for docket, the claim) and wakes the worker
 *   worker read → write   the worker runs the task until its last write for it
 *   write → producer read Redis records the outcome and wakes the producer
 *   read → result         the producer until its library reports the result
 *
 *   npx ts-node --transpile-only test/bench/timeline.ts --system docket [--tasks 600]
 *   npx ts-node --transpile-only test/bench/timeline.ts --system bee-queue
 *
 * It starts a private redis-server, like the bench. The stamps cost a little; compare systems
 * with this tool, not with the bench's figures.
 */
import { fork } from 'node:child_process';
import { Socket } from 'node:net';
import { parseArgs } from 'node:util';
import { RedisServer } from '../support/redis-server';
import { SYSTEM_IDS, type SystemId, type Target } from './adapter';
import { ADAPTERS } from './adapters';
import { quantile } from './stats';

/** [µs on CLOCK_MONOTONIC, 'w' | 'r'] for each socket write call and data event of this process. */
type Stamp = [number, 'w' | 'r'];
const stamps: Stamp[] = [];
const micros = (): number => Number(process.hrtime.bigint()) / 1e3;

function stampSockets(): void {
  const write = Socket.prototype.write as (...args: unknown[]) => boolean;
  const emit = Socket.prototype.emit as (event: string | symbol, ...args: unknown[]) => boolean;
  Socket.prototype.write = function (this: Socket, ...args: unknown[]): boolean {
    stamps.push([micros(), 'w']);
    return write.apply(this, args);
  } as typeof Socket.prototype.write;
  Socket.prototype.emit = function (this: Socket, event: string | symbol, ...args: unknown[]): boolean {
    if (event === 'data') stamps.push([micros(), 'r']);
    return emit.call(this, event, ...args);
  };
}

const NO_PROBE = { started: () => undefined, record: () => undefined };

async function workerProcess(system: SystemId, target: Target): Promise<void> {
  const worker = await ADAPTERS[system].worker(target, { concurrency: 10, fireAndForget: false }, NO_PROBE);
  stampSockets();
  worker.run();
  process.on('message', (message) => {
    if (message === 'stamps') process.send?.(stamps);
  });
  process.send?.('ready');
}

async function producerProcess(system: SystemId, tasks: number): Promise<void> {
  const server = await RedisServer.start();
  const target: Target = { host: '127.0.0.1', port: server.port, queue: 'timeline' };
  const child = fork(__filename, ['--role', 'worker', '--system', system, '--port', String(server.port)], {
    execArgv: ['-r', 'ts-node/register/transpile-only'],
  });
  const nextMessage = <T>(): Promise<T> => new Promise((resolve) => child.once('message', (m) => resolve(m as T)));
  await nextMessage();
  const producer = await ADAPTERS[system].producer(target, { fireAndForget: false, observe: true });
  stampSockets();
  const warmup = Math.min(100, Math.floor(tasks / 5));
  const spans: [number, number][] = [];
  for (let i = 0; i < tasks; i++) {
    const start = micros();
    const submitted = await producer.submit({ i, t: Date.now() });
    await submitted.done;
    if (i >= warmup) spans.push([start, micros()]);
    await new Promise((resolve) => setImmediate(resolve));
  }
  child.send('stamps');
  const workerStamps = await nextMessage<Stamp[]>();
  child.kill();
  await producer.close();
  await server.stop();
  report(system, spans, stamps, workerStamps);
}

function report(system: SystemId, spans: [number, number][], own: Stamp[], worker: Stamp[]): void {
  const legs: Record<string, number[]> = {};
  const add = (leg: string, value: number): void => void (legs[leg] ??= []).push(value);
  const within = (list: Stamp[], from: number, to: number): Stamp[] => list.filter(([t]) => t >= from && t <= to);
  for (const [start, end] of spans) {
    const mine = within(own, start, end);
    const theirs = within(worker, start, end);
    const firstWrite = mine.find(([, kind]) => kind === 'w');
    const lastRead = mine.filter(([, kind]) => kind === 'r').at(-1);
    const workerRead = theirs.find(([, kind]) => kind === 'r');
    const workerWrite = theirs.filter(([t, kind]) => kind === 'w' && workerRead && t > workerRead[0]).at(-1);
    if (!firstWrite || !lastRead || !workerRead || !workerWrite) continue;
    add('add → write', firstWrite[0] - start);
    add('write → worker read', workerRead[0] - firstWrite[0]);
    add('worker read → write', workerWrite[0] - workerRead[0]);
    add('write → producer read', lastRead[0] - workerWrite[0]);
    add('read → result', end - lastRead[0]);
    add('total', end - start);
    add('worker writes per task', theirs.filter(([, kind]) => kind === 'w').length);
    add('worker reads per task', theirs.filter(([, kind]) => kind === 'r').length);
  }
  console.log(`${system}: ${spans.length} tasks, µs (writes and reads are counts)`);
  for (const [leg, values] of Object.entries(legs)) {
    console.log(`  ${leg.padEnd(24)} p50 ${quantile(values, 0.5).toFixed(1).padStart(7)}   p90 ${quantile(values, 0.9).toFixed(1).padStart(7)}`);
  }
}

function main(): Promise<void> {
  const { values } = parseArgs({
    options: { system: { type: 'string', default: 'docket' }, tasks: { type: 'string', default: '600' }, role: { type: 'string' }, port: { type: 'string' } },
    strict: true,
  });
  const system = values.system as SystemId;
  if (!SYSTEM_IDS.includes(system)) throw new Error(`unknown system "${values.system}"; known: ${SYSTEM_IDS.join(', ')}`);
  if (values.role === 'worker') return workerProcess(system, { host: '127.0.0.1', port: Number(values.port), queue: 'timeline' });
  return producerProcess(system, Number(values.tasks));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
