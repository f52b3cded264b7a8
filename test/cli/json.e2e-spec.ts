/**
 * `--json` on every command that prints data: one JSON document on one line of stdout, dates as
 * ISO 8601 strings, no colour codes; errors on stderr with a non-zero exit. And `tasks … -q`,
 * which prints the execution key alone.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import Redis from 'ioredis';
import { firstValueFrom, filter } from 'rxjs';
import { ExecutionState, Worker, type Docket } from '../../lib';
import { dropDocket, redisUrl, testDocket, waitUntil } from '../support/docket-test';
import { freePort } from '../support/redis-server';
import { CLI_PATH, CliProcess, runCli } from './support/cli-process';
import { CONTROLLED_MESSAGE, registerControlledTask, type Controller } from './support/controlled-task';

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

describe('docket … --json, and tasks … -q', () => {
  let docket: Docket;
  let control: Controller;
  let worker: Worker | undefined;
  let env: Record<string, string | undefined>;

  beforeEach(() => {
    docket = testDocket();
    control = registerControlledTask(docket, 'blocker');
    docket.register(async function noop(): Promise<void> {});
    worker = undefined;
    env = { DOCKET_URL: redisUrl(), DOCKET_NAME: docket.name };
  });

  afterEach(async () => {
    await CliProcess.killAll();
    control.finish();
    await worker?.stop({ drainTimeout: 5_000 });
    await docket.close();
    await dropDocket(docket);
  });

  /** Runs `docket …args --json`, expects success and exactly one line of JSON without colours; resolves with it parsed. */
  async function json<T>(...args: string[]): Promise<T> {
    const result = await runCli(args.includes('--json') ? args : [...args, '--json'], { env });
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/^[^\n]+\n$/);
    expect(result.stdout).not.toContain('\x1b');
    return JSON.parse(result.stdout) as T;
  }

  const startWorker = (): string => {
    const name = `cli-json-${docket.name}`;
    worker = new Worker(docket, { name, concurrency: 1 });
    void worker.runForever();
    return name;
  };

  it('snapshot --json and workers ls|for-task --json describe a busy docket: running, queued, scheduled, workers, counts', async () => {
    const blocker = await docket.add('blocker')();
    const workerName = startWorker();
    await firstValueFrom(blocker.progress$.pipe(filter((p) => p.current === 60)));
    const queued = [(await docket.add('noop')()).key, (await docket.add('noop')()).key];
    await docket.add('noop', { delay: 3_600_000, key: 'later' })();

    const snapshot = await json<Record<string, unknown> & { running: Record<string, unknown>[]; queued: { key: string }[]; scheduled: Record<string, unknown>[] }>('snapshot');

    expect(snapshot.docket).toBe(docket.name);
    expect(snapshot.takenAt).toMatch(ISO);
    expect(snapshot.running).toEqual([
      {
        key: blocker.key,
        task: 'blocker',
        state: 'running',
        when: expect.stringMatching(ISO),
        worker: workerName,
        startedAt: expect.stringMatching(ISO),
        progress: { current: 60, total: 100, message: CONTROLLED_MESSAGE },
        waitingFor: null,
        recurrence: null,
        lastOutcome: null,
      },
    ]);
    expect(snapshot.queued.map((e) => e.key)).toEqual(queued);
    expect(snapshot.scheduled).toEqual([expect.objectContaining({ key: 'later', task: 'noop', state: 'scheduled', worker: null, startedAt: null, progress: null })]);
    expect(Date.parse(snapshot.scheduled[0].when as string)).toBeGreaterThan(Date.now() + 59 * 60_000);
    expect(snapshot.stats).toEqual([
      { task: 'noop', total: 3, running: 0, queued: 2, scheduled: 1 },
      { task: 'blocker', total: 1, running: 1, queued: 0, scheduled: 0 },
    ]);
    expect(snapshot).toMatchObject({ streamLength: 3, queueLength: 1, quarantined: 0 });
    expect(snapshot.workers).toEqual([{ name: workerName, lastSeen: expect.stringMatching(ISO), concurrency: 1, tasks: ['blocker', 'noop'] }]);

    // The heartbeat moves lastSeen on between two commands.
    const live = [{ name: workerName, lastSeen: expect.stringMatching(ISO), concurrency: 1, tasks: ['blocker', 'noop'] }];
    expect(await json('workers', 'ls')).toEqual({ docket: docket.name, workers: live });
    expect(await json('workers', 'for-task', 'noop')).toEqual({ docket: docket.name, task: 'noop', workers: live });
    expect(await json('workers', 'for-task', 'elsewhere')).toEqual({ docket: docket.name, task: 'elsewhere', workers: [] });
  });

  it('tasks -q prints the key alone, so that KEY=$(docket tasks trace -q) works; --json prints the execution', async () => {
    const shell = await promisify(execFile)('sh', ['-c', `KEY=$("${process.execPath}" "${CLI_PATH}" tasks trace -q 'from a shell') && printf '[%s]' "$KEY"`], {
      env: { ...process.env, ...env },
    });
    const key = /^\[([^\s\]]+)\]$/.exec(shell.stdout)?.[1] ?? '';
    const traced = await docket.getExecution(key);
    expect([traced?.taskName, traced?.args, traced?.state]).toEqual(['trace', ['from a shell'], ExecutionState.QUEUED]);

    expect((await runCli(['tasks', 'sleep', '2s', '--delay', '5m', '--quiet', '--key', 'nap'], { env })).stdout).toBe('nap\n');
    expect((await runCli(['tasks', 'sleep', '--key', 'nap', '-q'], { env })).stdout).toBe('nap\n');

    const failing = await json<{ when: string }>('tasks', 'fail', 'on purpose', '--json', '--key', 'f-1');
    expect(failing).toEqual({ docket: docket.name, key: 'f-1', task: 'fail', state: 'queued', disposition: 'scheduled', when: expect.stringMatching(ISO) });
    expect(await json('tasks', 'fail', '--json', '--key', 'f-1')).toMatchObject({ key: 'f-1', disposition: 'already-scheduled' });
    expect(await json('tasks', 'sleep', '--json', '--key', 'nap')).toMatchObject({ key: 'nap', state: 'scheduled', disposition: 'already-scheduled' });

    const both = await runCli(['tasks', 'trace', '-q', '--json'], { env });
    expect(both.code).toBe(64);
    expect(both.stdout).toBe('');
    expect(both.stderr).toContain("option '-q, --quiet' cannot be used with option '--json'");
  });

  it('a struck built-in task is not reported as added: tasks -q prints nothing and exits 1', async () => {
    await docket.strike('trace');
    const result = await runCli(['tasks', 'trace', '-q'], { env });

    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`error: The trace task was not added: it is struck in docket "${docket.name}"`);
    expect((await docket.snapshot()).queued).toEqual([]);
  });

  it('strikes --json gives each value typed, and the arguments of `docket restore` that lift it', async () => {
    expect(await json('strike', 'chargeCard', 'amount', '>', 'int:10000', '--json')).toEqual({
      docket: docket.name,
      changed: true,
      strike: { task: 'chargeCard', parameter: 'amount', operator: '>', value: 10_000, description: 'chargeCard(amount > 10000)', args: ['chargeCard', 'amount', '>', 'int:10000'] },
    });
    expect(await json('strike', 'chargeCard', 'amount', '>', 'int:10000', '--json')).toMatchObject({ changed: false });
    await docket.strike({ parameter: 'amount', operator: 'between', value: [100, 1_000.5] });
    await docket.strike({ task: 'report', parameter: 'since', operator: '<', value: new Date('2026-01-01T00:00:00Z') });
    await docket.strike({ task: 'ledger', parameter: 'entry', value: 12345678901234567890n });
    await docket.strike({ task: 'sendEmail', parameter: 'customerId', operator: '!=', value: 'null' });
    await docket.strike('digest');

    const listed = await json<{ docket: string; strikes: { description: string; value: unknown; args: string[] }[] }>('strikes', '--json');

    const byDescription = new Map(listed.strikes.map((s) => [s.description, s]));
    expect(listed.strikes).toHaveLength(6);
    expect(byDescription.get('*(amount between [100, 1000.5])')).toMatchObject({ task: null, value: [100, 1000.5], args: ['*', 'amount', 'between', 'int:100..float:1000.5'] });
    expect(byDescription.get('report(since < 2026-01-01T00:00:00.000Z)')).toMatchObject({ value: '2026-01-01T00:00:00.000Z', args: ['report', 'since', '<', 'date:2026-01-01T00:00:00.000Z'] });
    expect(byDescription.get('ledger(entry == 12345678901234567890n)')).toMatchObject({ operator: '==', value: '12345678901234567890', args: ['ledger', 'entry', '==', 'bigint:12345678901234567890'] });
    expect(byDescription.get("sendEmail(customerId != 'null')")).toMatchObject({ value: 'null', args: ['sendEmail', 'customerId', '!=', 'str:null'] });
    expect(byDescription.get('digest')).toEqual({ task: 'digest', parameter: null, operator: null, value: null, description: 'digest', args: ['digest'] });

    for (const strike of listed.strikes) {
      expect(await json('restore', ...strike.args, '--json')).toMatchObject({ changed: true, strike: { description: strike.description } });
    }
    expect(await docket.strikes()).toEqual([]);
    expect(await json('strikes', '--json')).toEqual({ docket: docket.name, strikes: [] });
  });

  it('quarantine ls|show|clear --json: the items with what was found; a missing id is an error on stderr', async () => {
    const admin = new Redis(redisUrl());
    try {
      await admin.xadd(docket.keys.stream, '*', 'garbage', 'abc');
    } finally {
      admin.disconnect();
    }
    startWorker();
    await waitUntil(async () => (await docket.quarantine.list()).total === 1, 'the entry is quarantined');

    const listed = await json<{ docket: string; total: number; items: { id: string; raw: string }[] }>('quarantine', 'ls', '--json');

    expect(listed).toEqual({
      docket: docket.name,
      total: 1,
      items: [{ id: expect.any(String), at: expect.stringMatching(ISO), what: 'message', key: null, messageId: expect.any(String), reason: 'a stream entry without a key', raw: expect.any(String) }],
    });
    const [item] = listed.items;
    expect(JSON.stringify(JSON.parse(item.raw))).toContain('garbage');
    expect(await json('quarantine', 'show', item.id, '--json')).toEqual({ docket: docket.name, ...item });
    expect(await json('snapshot')).toMatchObject({ quarantined: 1 });

    const missing = await runCli(['quarantine', 'show', '0-1', '--json'], { env });
    expect(missing.code).toBe(1);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toContain(`No quarantined item 0-1 in docket "${docket.name}"`);

    expect(await json('quarantine', 'clear', '--json')).toEqual({ docket: docket.name, removed: 1 });
  });

  it('watch --json prints only the last state, once the execution has finished, and exits with its outcome', async () => {
    const execution = await docket.add('blocker')();
    const watch = CliProcess.start(['watch', execution.key, '--json'], { env });
    const workerName = startWorker();
    await firstValueFrom(execution.progress$.pipe(filter((p) => p.current === 60)));
    control.finish();
    const result = await watch.exited;

    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^[^\n]+\n$/);
    expect(JSON.parse(result.stdout)).toEqual({
      docket: docket.name,
      key: execution.key,
      task: 'blocker',
      state: 'completed',
      when: expect.stringMatching(ISO),
      worker: workerName,
      startedAt: expect.stringMatching(ISO),
      completedAt: expect.stringMatching(ISO),
      attempt: 1,
      error: null,
      waitingFor: null,
      progress: { current: 100, total: 100, message: CONTROLLED_MESSAGE, updatedAt: expect.stringMatching(ISO) },
      recurrence: null,
      lastOutcome: null,
      nextRun: null,
    });
    // Already finished: printed at once, the same way.
    expect(await json('watch', execution.key, '--json')).toMatchObject({ key: execution.key, state: 'completed' });
  });

  it('clear, version and config --json; under a terminal, still plain JSON', async () => {
    await docket.add('noop', { delay: 60_000 })();
    expect(await json('clear', '--json')).toEqual({ docket: docket.name, cleared: 1 });
    const { version } = JSON.parse(readFileSync(resolve(__dirname, '../../package.json'), 'utf8')) as { version: string };
    expect(await json('version', '--json')).toEqual({ name: 'nestjs-docket', version });
    expect(await json('config', '--json')).toEqual({ url: redisUrl(), urlFrom: 'DOCKET_URL', docket: docket.name, docketFrom: 'DOCKET_NAME' });

    const tty = await runCli(['snapshot', '--json'], { env: { ...env, NO_COLOR: undefined }, tty: true });
    expect(tty.code).toBe(0);
    expect(tty.stdout).not.toContain('\x1b');
    expect(JSON.parse(tty.stdout)).toMatchObject({ docket: docket.name, running: [], queued: [], scheduled: [] });
  });

  it('with Redis unreachable, every --json command exits 2 with the error on stderr and nothing on stdout', async () => {
    const url = `redis://127.0.0.1:${await freePort()}/0`;
    const commands = [['snapshot'], ['workers', 'ls'], ['strikes'], ['quarantine', 'ls'], ['tasks', 'trace'], ['watch', 'some-key']];
    const results = await Promise.all(commands.map((command) => runCli([...command, '--json'], { env: { DOCKET_URL: url } })));

    for (const result of results) {
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(new RegExp(`^error: Redis at ${url} is unavailable`));
    }
  });
});
