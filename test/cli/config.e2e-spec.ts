/**
 * Where the CLI takes its Redis URL and docket from: --url, else DOCKET_URL, else REDIS_URL, else
 * redis://127.0.0.1:6379/0; --docket, else DOCKET_NAME, else "docket". The sample app reads
 * REDIS_URL and DOCKET_NAME too, so that one environment serves both.
 */
import type { Docket } from '../../lib';
import { sampleConfigFromEnv } from '../../sample/src/config/sample.config';
import { dropDocket, redisUrl, testDocket } from '../support/docket-test';
import { freePort } from '../support/redis-server';
import { runCli } from './support/cli-process';

/** No variable that picks a URL or a docket: what a fresh shell has. */
const BARE = { DOCKET_URL: undefined, REDIS_URL: undefined, DOCKET_NAME: undefined };

interface ConfigJson {
  url: string;
  urlFrom: string;
  docket: string;
  docketFrom: string;
}

/** `docket config --json …args` under `env`. */
async function config(env: Record<string, string | undefined>, ...args: string[]): Promise<ConfigJson> {
  const result = await runCli(['config', '--json', ...args], { env: { ...BARE, ...env } });
  expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
  return JSON.parse(result.stdout) as ConfigJson;
}

describe('docket configuration: flags, then DOCKET_URL / REDIS_URL / DOCKET_NAME, then defaults', () => {
  it('with nothing set, uses redis://127.0.0.1:6379/0 and the docket "docket", and says so', async () => {
    const result = await runCli(['config'], { env: BARE });

    expect(result.code).toBe(0);
    expect(result.stdout).toBe('Redis URL: redis://127.0.0.1:6379/0 (from the default)\nDocket:    docket (from the default)\n');
  });

  it('takes --url over DOCKET_URL over REDIS_URL, and --docket over DOCKET_NAME; an empty variable counts as unset', async () => {
    const [flag, docketUrl, redisEnvUrl] = ['redis://flag:1/0', 'redis://docket-url:2/0', 'redis://redis-url:3/0'];

    expect(await config({ REDIS_URL: redisEnvUrl })).toMatchObject({ url: redisEnvUrl, urlFrom: 'REDIS_URL' });
    expect(await config({ REDIS_URL: redisEnvUrl, DOCKET_URL: docketUrl })).toMatchObject({ url: docketUrl, urlFrom: 'DOCKET_URL' });
    expect(await config({ REDIS_URL: redisEnvUrl, DOCKET_URL: docketUrl }, '--url', flag)).toMatchObject({ url: flag, urlFrom: '--url' });
    expect(await config({ REDIS_URL: redisEnvUrl, DOCKET_URL: '' })).toMatchObject({ url: redisEnvUrl, urlFrom: 'REDIS_URL' });
    expect(await config({ DOCKET_NAME: 'orders' })).toMatchObject({ docket: 'orders', docketFrom: 'DOCKET_NAME' });
    expect(await config({ DOCKET_NAME: 'orders' }, '-d', 'billing')).toMatchObject({ docket: 'billing', docketFrom: '--docket' });
  });

  it('never prints a password', async () => {
    const shown = await config({ REDIS_URL: 'redis://app:s3cret@cache:6379/0' });
    expect(shown.url).toBe('redis://app:***@cache:6379/0');
  });

  it("reads the sample app's REDIS_URL and DOCKET_NAME the way the sample does, with the same defaults", async () => {
    for (const env of [{}, { REDIS_URL: 'redis://cache:6380/2', DOCKET_NAME: 'orders' }]) {
      const sample = sampleConfigFromEnv(env);
      expect(await config(env)).toMatchObject({ url: sample.redisUrl, docket: sample.docketName });
    }
  });

  it('a command works on the docket that REDIS_URL and DOCKET_NAME name, with DOCKET_URL unset', async () => {
    const docket: Docket = testDocket();
    try {
      const result = await runCli(['tasks', 'trace', '-q'], { env: { ...BARE, REDIS_URL: redisUrl(), DOCKET_NAME: docket.name } });
      expect(result.code).toBe(0);
      expect((await docket.getExecution(result.stdout.trim()))?.taskName).toBe('trace');
    } finally {
      await docket.close();
      await dropDocket(docket);
    }
  });

  it('when Redis is unreachable, the error says which variable the URL came from', async () => {
    const dead = `redis://127.0.0.1:${await freePort()}/0`;
    // DOCKET_URL wins over a REDIS_URL that works: the error names DOCKET_URL.
    const result = await runCli(['snapshot'], { env: { ...BARE, DOCKET_URL: dead, REDIS_URL: redisUrl() } });

    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`error: Redis at ${dead} is unavailable`);
    expect(result.stderr).toContain('The URL came from $DOCKET_URL; give another with --url, DOCKET_URL or REDIS_URL.');
  });

  it('refuses a memory:// URL, saying that the CLI runs in a process of its own and cannot see that work', async () => {
    for (const args of [['snapshot'], ['worker']]) {
      const result = await runCli(args, { env: { ...BARE, REDIS_URL: 'memory://sample' } });
      expect(result.code).toBe(64);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain('memory://sample (from $REDIS_URL) is an in-process backend');
      expect(result.stderr).toContain('Give the Redis URL your app uses');
    }
  });

  it('help names the variables read and the defaults, on the program and on every command', async () => {
    const top = await runCli(['--help']);
    expect(top.stdout).toMatch(/^ {2}DOCKET_URL {4}the Redis URL when --url is not given$/m);
    expect(top.stdout).toMatch(/^ {2}REDIS_URL {5}the Redis URL when neither --url nor DOCKET_URL is given$/m);
    expect(top.stdout).toContain('(default: redis://127.0.0.1:6379/0)');
    expect(top.stdout).toMatch(/^ {2}DOCKET_NAME {3}the docket name when --docket is not given \(default: docket\)$/m);

    const command = await runCli(['watch', '--help']);
    const options = command.stdout.replace(/\s+/g, ' ');
    expect(options).toContain('-u, --url <url> the Redis URL (default: $DOCKET_URL, else $REDIS_URL, else redis://127.0.0.1:6379/0)');
    expect(options).toContain('-d, --docket <name> the docket name (default: $DOCKET_NAME, else "docket")');
  });
});
