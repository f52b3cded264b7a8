import type { Docket } from '../../lib';
import { describeStrike } from '../../lib/core/tasks/strike';
import { dropDocket, redisUrl, testDocket } from '../support/docket-test';
import { freePort } from '../support/redis-server';
import { runCli } from './support/cli-process';

describe('docket strike, restore and strikes', () => {
  let docket: Docket;
  let env: Record<string, string>;

  beforeEach(() => {
    docket = testDocket();
    env = { DOCKET_URL: redisUrl(), DOCKET_NAME: docket.name };
  });

  afterEach(async () => {
    await docket.close();
    await dropDocket(docket);
  });

  /** Runs the CLI and expects it to succeed without a word on stderr; resolves with stdout. */
  const ok = async (...args: string[]): Promise<string> => {
    const result = await runCli(args, { env });
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    return result.stdout;
  };

  it('strikes a whole task, lists it, and restores it; a repeat says nothing changed', async () => {
    expect(await ok('strike', 'sendEmail')).toBe('Striking sendEmail\n');
    expect(await ok('strikes')).toBe('sendEmail\n');
    const strikes = await docket.strikes();
    expect(strikes).toHaveLength(1);
    expect(strikes[0].task).toBe('sendEmail');
    expect(strikes[0].parameter).toBeUndefined();

    expect(await ok('strike', 'sendEmail')).toBe('Already struck: sendEmail\n');
    expect(await docket.strikes()).toHaveLength(1);

    expect(await ok('restore', 'sendEmail')).toBe('Restoring sendEmail\n');
    expect(await docket.strikes()).toEqual([]);
    expect(await ok('restore', 'sendEmail')).toBe('Not struck: sendEmail\n');
    expect(await ok('strikes')).toBe(`No strikes in effect on docket "${docket.name}"\n`);
  });

  it('parameter strikes keep their typed values: int, between, date, bigint', async () => {
    expect(await ok('strike', 'chargeCard', 'amount', '>', 'int:10000')).toBe('Striking chargeCard(amount > 10000)\n');
    expect(await ok('strike', '*', 'amount', 'between', 'int:100..int:1000')).toBe('Striking *(amount between [100, 1000])\n');
    expect(await ok('strike', 'report', 'since', '<', 'date:2026-01-01T00:00:00Z')).toBe('Striking report(since < 2026-01-01T00:00:00.000Z)\n');
    expect(await ok('strike', 'ledger', 'entry', '==', 'bigint:12345678901234567890')).toBe('Striking ledger(entry == 12345678901234567890n)\n');

    const strikes = await docket.strikes();
    const byTask = (task: string | undefined) => strikes.find((s) => s.task === task);
    expect(byTask('chargeCard')).toMatchObject({ parameter: 'amount', operator: '>', value: 10_000 });
    expect(typeof byTask('chargeCard')?.value).toBe('number');
    expect(byTask(undefined)).toMatchObject({ parameter: 'amount', operator: 'between', value: [100, 1000] });
    expect(byTask('report')?.value).toBeInstanceOf(Date);
    expect((byTask('report')?.value as Date).toISOString()).toBe('2026-01-01T00:00:00.000Z');
    expect(byTask('ledger')?.value).toBe(12345678901234567890n);
    expect((await ok('strikes')).split('\n').filter(Boolean)).toEqual(strikes.map(describeStrike));

    // The same rule made through the API is the same strike; a bare 10000 is a string, another rule.
    expect(await docket.strike({ task: 'chargeCard', parameter: 'amount', operator: '>', value: 10_000 })).toBe(false);
    expect(await ok('restore', 'chargeCard', 'amount', '>', '10000')).toBe("Not struck: chargeCard(amount > '10000')\n");
    expect(await ok('restore', '*', 'amount', 'between', 'int:100..int:1000')).toBe('Restoring *(amount between [100, 1000])\n');
    expect(await ok('restore', 'chargeCard', 'amount', '>', 'int:10000')).toBe('Restoring chargeCard(amount > 10000)\n');
    expect((await docket.strikes()).map(describeStrike)).toEqual(['ledger(entry == 12345678901234567890n)', 'report(since < 2026-01-01T00:00:00.000Z)']);
  });

  it('a bare value is a string, and == is the operator the API defaults to', async () => {
    expect(await docket.strike({ task: 'sendEmail', parameter: 'customerId', value: 'c-42' })).toBe(true);
    expect(await ok('strike', 'sendEmail', 'customerId', '==', 'c-42')).toBe("Already struck: sendEmail(customerId == 'c-42')\n");
    expect(await ok('strike', 'sendEmail', 'customerId', '==', 'str:c-42')).toBe("Already struck: sendEmail(customerId == 'c-42')\n");
    expect(await ok('restore', 'sendEmail', 'customerId', '==', 'c-42')).toBe("Restoring sendEmail(customerId == 'c-42')\n");
  });

  it.each([[['strike']], [['strike', '*']], [['restore']]])('`%j` without a task or a parameter: usage error, nothing written', async (args) => {
    const result = await runCli(args, { env });

    expect(result.code).toBe(64);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('error: give a task, a parameter, or both');
    expect(result.stderr).toContain('--help');
    expect(await docket.strikes()).toEqual([]);
  });

  it.each([
    [['strike', 'pay', 'amount', '>', 'int:lots'], '"int:lots" is not a valid value: int: takes a whole number'],
    [['strike', 'pay', 'amount', 'between', 'int:5'], '"int:5" is not a range: between takes LOWER..UPPER'],
    [['strike', 'pay', 'amount', '>', 'cash:5'], 'there is no type "cash:"'],
    [['strike', 'pay', 'amount', '=~', 'int:5'], "argument 'operator'. Allowed choices are ==, !=, >, >=, <, <=, between."],
    [['strike', 'pay', 'amount'], 'give a value to compare amount with'],
  ])('`%j`: usage error naming what is wrong', async (args, message) => {
    const result = await runCli(args, { env });

    expect(result.code).toBe(64);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(message);
  });

  it('a malformed rule is refused before any connection (usage error, even with Redis down)', async () => {
    const url = `redis://127.0.0.1:${await freePort()}/0`;
    const result = await runCli(['strike', 'pay', 'amount', '>', 'float:x'], { env: { DOCKET_URL: url } });

    expect(result.code).toBe(64);
    expect(result.stderr).toContain('"float:x" is not a valid value');
  });

  it.each([[['strike', 'sendEmail']], [['restore', 'sendEmail']], [['strikes']]])('Redis unreachable for `%j`: exit 2, the URL, no stack trace', async (args) => {
    const url = `redis://127.0.0.1:${await freePort()}/0`;
    const result = await runCli(args, { env: { DOCKET_URL: url, DOCKET_NAME: docket.name } });

    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(new RegExp(`^error: Redis at ${url} is unavailable`));
    expect(result.stderr).toContain('The URL came from $DOCKET_URL; give another with --url, DOCKET_URL or REDIS_URL.');
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });

  it('help explains the value syntax with examples', async () => {
    for (const command of ['strike', 'restore']) {
      const result = await runCli([command, '--help']);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(`Usage: docket ${command} [options] [task] [parameter] [operator] [value]`);
      expect(result.stdout).toContain('VALUE is written TYPE:VALUE');
      expect(result.stdout).toContain('int:5');
      expect(result.stdout).toContain('date:2026-01-01T00:00:00Z');
      expect(result.stdout).toContain(`docket ${command} "*" amount between int:100..int:1000`);
      expect(result.stdout).toContain('-u, --url <url>');
    }
    const strikes = await runCli(['strikes', '--help']);
    expect(strikes.stdout).toContain('List the strikes in effect');
  });
});
