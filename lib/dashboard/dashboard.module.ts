/**
 * `DocketDashboardModule`: a live web page of the app's dockets, pushed over one SSE connection
 * per page (a snapshot, then deltas), never polled by the page.
 */
import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { DashboardAccessGuard } from './dashboard-access.guard';
import { dashboardController } from './dashboard.controller';
import { DASHBOARD_OPTIONS, normalizePath, type DocketDashboardAsyncOptions, type DocketDashboardOptions, type ResolvedDashboardOptions } from './dashboard.options';
import { DashboardService } from './dashboard.service';

function resolve(options: Omit<DocketDashboardOptions, 'path'>): ResolvedDashboardOptions {
  return { dockets: options.dockets, readOnly: options.readOnly ?? true, guard: options.guard };
}

/**
 * Mounts the dashboard in the app, on Express or Fastify. The page shows, per docket: counts and
 * throughput, running executions with live progress, what is queued and scheduled and why it
 * waits, recent outcomes, workers, strikes, and one execution's timeline. Arguments appear as the
 * logs render them: an argument not marked `@Logged` is `...`. Read-only unless told otherwise;
 * put it behind your own `guard`.
 *
 * @example
 * @Module({
 *   imports: [
 *     DocketModule.forRoot({ url: process.env.REDIS_URL }),
 *     DocketDashboardModule.forRoot({ path: '/docket', readOnly: false, guard: AdminGuard }),
 *   ],
 * })
 * export class AppModule {}
 */
@Module({})
export class DocketDashboardModule {
  /** The module with fixed options; see {@link DocketDashboardOptions}. */
  static forRoot(options: DocketDashboardOptions = {}): DynamicModule {
    return DocketDashboardModule.make(options.path, { provide: DASHBOARD_OPTIONS, useValue: resolve(options) });
  }

  /** The module with options from a factory (the path is given beside it); see {@link DocketDashboardAsyncOptions}. */
  static forRootAsync(options: DocketDashboardAsyncOptions): DynamicModule {
    const module = DocketDashboardModule.make(options.path, {
      provide: DASHBOARD_OPTIONS,
      useFactory: async (...args: never[]) => resolve(await options.useFactory(...args)),
      inject: [...(options.inject ?? [])],
    });
    return { ...module, imports: [...(module.imports ?? []), ...(options.imports ?? [])] };
  }

  private static make(path: string | undefined, optionsProvider: Provider): DynamicModule {
    return {
      module: DocketDashboardModule,
      imports: [DiscoveryModule],
      controllers: [dashboardController(normalizePath(path))],
      providers: [optionsProvider, DashboardService, DashboardAccessGuard],
    };
  }
}
