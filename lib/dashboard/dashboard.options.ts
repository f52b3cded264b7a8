/** Options of {@link DocketDashboardModule}. */
import type { CanActivate, ModuleMetadata, Type } from '@nestjs/common';

/**
 * What the dashboard shows and allows.
 *
 * @example
 * DocketDashboardModule.forRoot({ path: '/ops/docket', readOnly: false, guard: AdminGuard })
 */
export interface DocketDashboardOptions {
  /**
   * Where the page is mounted (the app's global prefix, if any, comes before it).
   * @default '/docket'
   */
  readonly path?: string;
  /** The names of the dockets to show. @default every docket of the app */
  readonly dockets?: readonly string[];
  /**
   * Without actions: cancel, strike and restore are refused (403) and not offered. Actions also
   * need the `guard` to allow them.
   * @default true
   */
  readonly readOnly?: boolean;
  /**
   * A Nest guard (a class the module makes with the app's providers, or an instance) asked for
   * every request of the dashboard, the page and its stream included. Without one, anyone who can
   * reach the app can read the dashboard: mount it behind your own auth.
   */
  readonly guard?: Type<CanActivate> | CanActivate;
}

/**
 * {@link DocketDashboardModule.forRootAsync}: the options but the path from a factory; the path
 * is fixed when the module is declared, since routes are made before providers exist.
 *
 * @example
 * DocketDashboardModule.forRootAsync({
 *   path: '/docket',
 *   imports: [ConfigModule],
 *   inject: [ConfigService],
 *   useFactory: (config: ConfigService) => ({ readOnly: config.get('DASHBOARD_READ_ONLY') !== 'false' }),
 * })
 */
export interface DocketDashboardAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  readonly path?: string;
  /** Makes the options from the values of `inject`, in order. */
  readonly useFactory: (...args: never[]) => Omit<DocketDashboardOptions, 'path'> | Promise<Omit<DocketDashboardOptions, 'path'>>;
  readonly inject?: readonly (string | symbol | Type<unknown>)[];
}

/** @internal The token of the resolved options. */
export const DASHBOARD_OPTIONS = Symbol('DOCKET_DASHBOARD_OPTIONS');

/** @internal The options with their defaults. */
export interface ResolvedDashboardOptions {
  readonly dockets?: readonly string[];
  readonly readOnly: boolean;
  readonly guard?: Type<CanActivate> | CanActivate;
}

/** @internal The header every action must carry: a cross-site form cannot send it (CSRF). */
export const ACTION_HEADER = 'x-docket-dashboard';

/** @internal The path with a leading slash and no trailing one. */
export function normalizePath(path: string | undefined): string {
  const trimmed = (path ?? '/docket').trim().replace(/\/+$/, '');
  return trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
}
