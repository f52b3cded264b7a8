import { freePort } from '../support/redis-server';
import { runCli } from './support/cli-process';

describe('docket errors a person can act on', () => {
  it('an unknown command: usage exit code and a suggestion', async () => {
    const result = await runCli(['snapshots']);

    expect(result.code).toBe(64);
    expect(result.stderr).toContain("error: unknown command 'snapshots'");
    expect(result.stderr).toContain('(Did you mean snapshot?)');
  });

  it('an unknown option', async () => {
    const result = await runCli(['clear', '--force']);

    expect(result.code).toBe(64);
    expect(result.stderr).toContain("error: unknown option '--force'");
    expect(result.stderr).toContain('--help');
  });

  it('a malformed duration names the value and the accepted forms', async () => {
    const result = await runCli(['tasks', 'trace', '--delay', 'soon']);

    expect(result.code).toBe(64);
    expect(result.stderr).toContain(`option '--delay <duration>' argument 'soon' is invalid. "soon" is not a duration: write it like 500ms, 30s, 5m, 1h or mm:ss.`);
  });

  it.each([['snapshot'], ['workers', 'ls'], ['clear'], ['tasks', 'trace']])('Redis unreachable for `%s`: exit 2, the URL, no stack trace', async (...command) => {
    const url = `redis://127.0.0.1:${await freePort()}/0`;
    const result = await runCli(command, { env: { DOCKET_URL: url } });

    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(new RegExp(`^error: Redis at ${url} is unavailable`));
    expect(result.stderr).toContain('The URL came from $DOCKET_URL; give another with --url, DOCKET_URL or REDIS_URL.');
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });

  it('a malformed Redis URL: exit 2, what is wrong with it, and where it came from', async () => {
    const result = await runCli(['snapshot', '--url', 'localhost:6379']);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('localhost:6379');
    expect(result.stderr).toContain('not supported');
    expect(result.stderr).toContain('The URL came from --url;');
  });

  it('every command has --help, listing the global --url and --docket', async () => {
    for (const command of [[], ['watch'], ['worker'], ['snapshot'], ['workers', 'ls'], ['clear'], ['tasks', 'sleep'], ['config'], ['version']]) {
      const result = await runCli([...command, '--help']);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(`Usage: docket${command.length ? ` ${command.join(' ')}` : ''}`);
      expect(result.stdout).toContain('-u, --url <url>');
      expect(result.stdout).toContain('-d, --docket <name>');
    }
  });
});
