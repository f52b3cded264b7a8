/** Bad connection settings: passwords never printed, whatever their characters; a missing database refused at connect. */
import { Docket, RedisUnavailableError } from '../../lib';
import { maskPassword } from '../../lib/core/util/mask-password';
import { MemoryLogger, redisUrl } from '../support/docket-test';

const SECRET = 'p^w{d}|x y"<>;=[]\\';

describe('a password in a URL', () => {
  it.each([
    [`redis://:${SECRET}@127.0.0.1:1/0`],
    [`redis://app:${SECRET}@127.0.0.1:1/0`],
    [`redis://app:${encodeURIComponent(SECRET)}@127.0.0.1:1/0`],
    [`rediss://app:${SECRET}@127.0.0.1:1/0`],
    [`redis+cluster://app:${SECRET}@127.0.0.1:1,127.0.0.1:2`],
    [`redis+sentinel://app:${SECRET}@127.0.0.1:1/mymaster/0?sentinelPassword=${SECRET}`],
    [`redis://app:${SECRET}@`],
    [`a URL that is not one:${SECRET}@`],
    [`redis://app:abc%zz${SECRET}@127.0.0.1:1/0`],
  ])('is masked in the error of %s', async (url) => {
    const logger = new MemoryLogger();
    const docket = new Docket({ url, logger });
    const failure = await docket.connect().then(
      () => undefined,
      (err: unknown) => err,
    );
    await docket.close();
    expect(failure).toBeInstanceOf(RedisUnavailableError);
    const printed = [String(failure), (failure as RedisUnavailableError).url, ...logger.lines].join('\n');
    expect(printed).toContain('***');
    for (const part of [SECRET, encodeURIComponent(SECRET), 'p^w', 'p%5Ew']) expect(printed).not.toContain(part);
  });

  it('masks every form, and leaves a URL without one as it is', () => {
    expect(maskPassword('redis://app:s3cret@cache:6379/0')).toBe('redis://app:***@cache:6379/0');
    expect(maskPassword('redis://:a@b@cache:6379/0')).toBe('redis://:***@cache:6379/0');
    expect(maskPassword('redis+sentinel://s:1/m?sentinelPassword=x&db=1')).toBe('redis+sentinel://s:1/m?sentinelPassword=***&db=1');
    expect(maskPassword('redis://cache:6379/0')).toBe('redis://cache:6379/0');
    expect(maskPassword('redis://user@cache:6379/0')).toBe('redis://user@cache:6379/0');
  });
});

describe('a database number the server does not have', () => {
  it('is refused at connect instead of silently using database 0', async () => {
    const url = redisUrl().replace(/\/\d+$/, '') + '/9999';
    const docket = new Docket({ url, logger: new MemoryLogger() });
    docket.register(async function anything(): Promise<void> {});
    await expect(docket.connect()).rejects.toThrow(/the server has no database 9999 \(ERR DB index is out of range\)/);
    await expect(docket.add('anything')()).rejects.toThrow(RedisUnavailableError);
    await docket.close();
  });
});
