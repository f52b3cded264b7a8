import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService, type HealthCheckResult } from '@nestjs/terminus';
import { DocketHealthIndicator } from 'nestjs-docket';

/**
 * `GET /health`: 200 while Redis answers within 500 ms, a worker is alive and no due order has
 * waited more than a minute for one; 503 with what is wrong otherwise (for a load balancer or
 * Kubernetes' readiness probe).
 */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly docket: DocketHealthIndicator,
  ) {}

  @Get()
  @HealthCheck()
  check(): Promise<HealthCheckResult> {
    return this.health.check([() => this.docket.isHealthy('docket', { timeout: 500, minWorkers: 1, maxDueAge: 60_000 })]);
  }
}
