import Redis from 'ioredis';
import { Worker, type Docket } from '../../lib';
import { dropDocket, redisUrl, testDocket, waitUntil } from '../support/docket-test';
import { runCli } from './support/cli-process';

describe('docket quarantine ls, show and clear', () => {
  let docket: Docket;
  let env: Record<string, string>;
  let admin: Redis;

  beforeEach(() => {
    docket = testDocket();
    env = { DOCKET_URL: redisUrl(), DOCKET_NAME: docket.name };
    admin = new Redis(redisUrl());
  });

  afterEach(async () => {
    admin.disconnect();
    await docket.close();
    await dropDocket(docket);
  });

  const ok = async (...args: string[]): Promise<string> => {
    const result = await runCli(args, { env });
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    return result.stdout;
  };

  it('lists what a worker quarantined, shows one with its raw data, counts it in snapshot, and clears it', async () => {
    expect(await ok('quarantine', 'ls')).toBe(`Nothing is quarantined in docket "${docket.name}".\n`);
    docket.register(async function echo(): Promise<void> {});
    await docket.add('echo')();
    await admin.xadd(docket.keys.stream, '*', 'garbage', 'abc');
    const worker = new Worker(docket);
    const run = worker.runForever();
    try {
      await waitUntil(async () => (await docket.quarantine.list()).total === 1, 'the entry is quarantined');
    } finally {
      await worker.stop();
      await run;
    }
    const [item] = (await docket.quarantine.list()).items;
    const listed = await ok('quarantine', 'ls');
    expect(listed).toContain(`Quarantine of docket "${docket.name}": 1`);
    expect(listed).toMatch(new RegExp(`${item.id}\\s.*\\smessage\\s+-\\s+a stream entry without a key`));
    const shown = await ok('quarantine', 'show', item.id);
    expect(shown).toContain(`Why:     a stream entry without a key`);
    expect(shown).toContain('garbage');
    expect(await ok('snapshot')).toContain('1 quarantined (docket quarantine ls)');

    const missing = await runCli(['quarantine', 'show', '0-1'], { env });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`No quarantined item 0-1 in docket "${docket.name}"`);

    expect(await ok('quarantine', 'clear')).toBe(`Removed 1 quarantined item from docket "${docket.name}".\n`);
    expect((await docket.quarantine.list()).total).toBe(0);
    expect(await ok('snapshot')).not.toContain('quarantined');
  });
});
