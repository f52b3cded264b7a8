/**
 * Runs before each spec file. ioredis ends a connection it closes with a timer that destroys the
 * socket if it has not closed 2 s later, and nothing clears that timer when the socket had failed
 * already: the connections ioredis opens inside to Sentinels and cluster nodes that the specs make
 * unreachable on purpose. The timer holds the process, and jest, which gives a worker 500 ms to
 * exit, warned of a leak. Docket sets the option on the connections it creates (connection.ts);
 * the ones ioredis creates inside take only the default, set shorter here.
 */
import { DEFAULT_REDIS_OPTIONS } from 'ioredis/built/redis/RedisOptions';

DEFAULT_REDIS_OPTIONS.disconnectTimeout = 50;
