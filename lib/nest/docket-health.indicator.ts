import { Inject, Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { InvalidOptionsError } from '../core/errors/docket.errors';
import type { HealthOptions } from '../core/producer/docket-health';
import { DOCKET_ALIAS } from './docket.constants';
import type { DocketService } from './docket.service';
import { getDocketToken } from './docket-token.util';

/**
 * What {@link DocketHealthIndicator.isHealthy} checks: the thresholds of `docket.health()`, and
 * which docket module (the name it was registered under).
 *
 * @example
 * () => this.docketHealth.isHealthy('emails', { docket: 'emails', minWorkers: 2, maxDueAge: 60_000 });
 */
export interface DocketHealthIndicatorOptions extends HealthOptions {
  /**
   * Which docket module to check, by the name it was registered under (`forRoot({ name })`).
   * @default the module that provided this indicator (with one docket module: that one)
   */
  readonly docket?: string;
}

/**
 * One indicator's answer, in the shape `@nestjs/terminus` reads: `status` and what was measured;
 * `message` lists the problems of a docket that is down.
 *
 * @example
 * const { docket } = await indicator.isHealthy('docket'); // docket.status === 'up'
 */
export type DocketHealthIndicatorResult<Key extends string> = Record<
  Key,
  {
    status: 'up' | 'down';
    message?: string;
    roundTripMs?: number;
    liveWorkers?: number;
    queued?: number;
    running?: number;
    scheduled?: number;
    oldestDueAgeMs?: number;
  }
>;

/**
 * A health indicator for `@nestjs/terminus` (it needs no import of terminus: its answer has the
 * shape terminus reads). Down when Redis does not answer within `timeout`, when fewer than
 * `minWorkers` workers are alive, or when the work due is more than `maxQueued` or has waited
 * longer than `maxDueAge`.
 *
 * @example
 * @Controller('health')
 * export class HealthController {
 *   constructor(private readonly health: HealthCheckService, private readonly docket: DocketHealthIndicator) {}
 *
 *   @Get()
 *   @HealthCheck()
 *   check() {
 *     return this.health.check([() => this.docket.isHealthy('docket', { minWorkers: 1, maxDueAge: 60_000 })]);
 *   }
 * }
 */
@Injectable()
export class DocketHealthIndicator {
  constructor(
    private readonly moduleRef: ModuleRef,
    @Inject(DOCKET_ALIAS) private readonly alias: string,
  ) {}

  /**
   * Checks the docket and answers `{ [key]: { status, … } }`; never throws for a docket that is
   * down (terminus reads the status).
   *
   * @example
   * await indicator.isHealthy('docket', { maxQueued: 10_000 });
   */
  async isHealthy<const Key extends string>(key: Key, options: DocketHealthIndicatorOptions = {}): Promise<DocketHealthIndicatorResult<Key>> {
    const { docket: name = this.alias, ...thresholds } = options;
    let service: DocketService;
    try {
      service = this.moduleRef.get<DocketService>(getDocketToken(name), { strict: false });
    } catch {
      throw new InvalidOptionsError(`DocketHealthIndicator: no docket module is registered under the name "${name}"; pass isHealthy(key, { docket }) the name given to DocketModule.forRoot({ name }).`);
    }
    const health = await service.docket.health(thresholds);
    const { depths } = health;
    const details = {
      ...(health.roundTripMs === undefined ? {} : { roundTripMs: health.roundTripMs }),
      ...(depths ? { liveWorkers: depths.liveWorkers, queued: depths.queued, running: depths.running, scheduled: depths.scheduled, oldestDueAgeMs: health.oldestDueAgeMs } : {}),
    };
    const answer = health.healthy ? { status: 'up' as const, ...details } : { status: 'down' as const, message: health.problems.join('; '), ...details };
    return { [key]: answer } as DocketHealthIndicatorResult<Key>;
  }
}
