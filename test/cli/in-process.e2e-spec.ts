/**
 * The CLI's commands run in this process through `runCli` with captured output: what its
 * real-process tests check end to end, here also counted in the coverage report (a child
 * process's lines are not). The worker and watch commands, which hold the terminal or signals,
 * are left to the real-process tests.
 */
import type { Docket } from '../../lib';
import { runCli } from '../../lib/cli/program';
import { dropDocket, redisUrl, testDocket } from '../support/docket-test';

/** Output written by the CLI, as text. */
class Capture {
  text = '';
  readonly isTTY = false;
  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
}

describe('the docket command, in process', () => {
  let docket: Docket;
  beforeEach(() => {
    docket = testDocket();
  });
  afterEach(async () => {
    await docket.close();
    await dropDocket(docket);
  });

  async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
    const stdout = new Capture();
    const stderr = new Capture();
    // The flags name the URL and docket: the CLI's own environment here has neither.
    const named = args.includes('--url') ? args : ['--url', redisUrl(), ...args];
    const code = await runCli(['--docket', docket.name, ...named], { stdout, stderr, env: { NO_COLOR: '1' } });
    return { code, out: stdout.text, err: stderr.text };
  }

  it('adds built-in tasks, shows them in snapshot, clears them, and lists no workers', async () => {
    const trace = await cli('tasks', 'trace', 'hello', '--key', 'k-trace');
    expect(trace).toEqual({ code: 0, out: `Added trace task "k-trace" to docket "${docket.name}"\n`, err: '' });
    expect((await cli('tasks', 'trace', 'again', '--key', 'k-trace')).out).toContain('was already pending; nothing changed');
    expect((await cli('tasks', 'sleep', '2s', '--delay', '5m')).out).toMatch(/^Added sleep task ".+" to docket ".+", due /);
    expect((await cli('tasks', 'fail')).code).toBe(0);
    const snapshot = await cli('snapshot', '--stats');
    expect(snapshot.code).toBe(0);
    expect(snapshot.out).toContain('0 workers, 0 running, 2 queued, 1 scheduled');
    expect(snapshot.out).toContain('k-trace');
    expect((await cli('workers', 'ls')).out).toBe(`No live workers in docket "${docket.name}".\n`);
    expect((await cli('workers', 'for-task', 'trace')).out).toBe(`No live workers running task "trace" in docket "${docket.name}".\n`);
    expect((await cli('clear')).out).toBe(`Cleared 3 executions from docket "${docket.name}"\n`);
    expect((await cli('snapshot')).out).toContain('Nothing is running, queued or scheduled.');
  });

  it('strikes, lists and restores; lists and clears the quarantine', async () => {
    expect((await cli('strike', 'chargeCard', 'amount', '>', 'int:100')).out).toBe('Striking chargeCard(amount > 100)\n');
    expect((await cli('strikes')).out).toBe('chargeCard(amount > 100)\n');
    expect((await cli('restore', 'chargeCard', 'amount', '>', 'int:100')).out).toBe('Restoring chargeCard(amount > 100)\n');
    expect((await cli('quarantine', 'ls')).out).toBe(`Nothing is quarantined in docket "${docket.name}".\n`);
    expect((await cli('quarantine', 'clear')).out).toBe(`Removed 0 quarantined items from docket "${docket.name}".\n`);
    const missing = await cli('quarantine', 'show', '0-1');
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('No quarantined item 0-1');
  });

  it("reads the URL and docket from the environment it is given, not the process's", async () => {
    const stdout = new Capture();
    const env = { REDIS_URL: redisUrl(), DOCKET_NAME: docket.name };
    expect(await runCli(['config', '--json'], { stdout, stderr: new Capture(), env })).toBe(0);
    expect(JSON.parse(stdout.text)).toEqual({ url: redisUrl(), urlFrom: 'REDIS_URL', docket: docket.name, docketFrom: 'DOCKET_NAME' });

    docket.register(async function noop(): Promise<void> {});
    await docket.add('noop', { key: 'from-env' })();
    const snapshot = new Capture();
    expect(await runCli(['snapshot', '--json'], { stdout: snapshot, stderr: new Capture(), env })).toBe(0);
    expect(JSON.parse(snapshot.text)).toMatchObject({ docket: docket.name, queued: [expect.objectContaining({ key: 'from-env', task: 'noop' })] });
  });

  it('answers usage errors with 64 and an unreachable Redis with 2, naming the URL without its password', async () => {
    const usage = await cli('tasks', 'sleep', 'soon');
    expect(usage.code).toBe(64);
    expect((await cli('quarantine', 'ls', '--limit', '0')).code).toBe(64);
    expect((await cli('strike', 'x', 'y', '>', 'bool:true')).code).toBe(64);
    const down = await cli('--url', 'redis://user:secret@127.0.0.1:1/0', 'snapshot');
    expect(down.code).toBe(2);
    expect(down.err).toContain('redis://user:***@127.0.0.1:1/0');
    expect(down.err).not.toContain('secret');
    expect((await cli('--version')).out).toMatch(/^\d+\.\d+\.\d+/);
  });
});
