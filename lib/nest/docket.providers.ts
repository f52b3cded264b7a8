import { ConsoleLogger, Logger, type LoggerService, type Provider } from '@nestjs/common';
import { Docket } from '../core/producer/docket';
import { DOCKET_ALIAS, DOCKET_CLIENT, DOCKET_MODULE_OPTIONS, DOCKET_RESOLVED_OPTIONS } from './docket.constants';
import { DocketExplorer } from './docket.explorer';
import { DocketMetadataAccessor } from './docket-metadata.accessor';
import { resolveDocketModuleOptions, type ResolvedDocketModuleOptions } from './docket-module-options.resolver';
import { DocketService } from './docket.service';
import { DocketHealthIndicator } from './docket-health.indicator';
import { getDocketToken } from './docket-token.util';
import type { DocketModuleOptions } from './interfaces/docket-module-options.interface';
import { DocketWorkerHost } from './docket-worker.host';
import { getWorkerOverrides } from './worker-overrides';
import { DOCKET_TESTING, type DocketTesting } from './testing/docket-testing.module';

/**
 * The providers of one docket module registered under `alias`: its options, its core docket
 * (logging through Nest's Logger), its DocketService by class and by name, and the explorer and
 * worker host that give it tasks and a lifecycle.
 *
 * @example
 * ({ module: DocketModule, providers: [optionsProvider, ...createDocketProviders('emails')] });
 */
export function createDocketProviders(alias: string): Provider[] {
  return [
    { provide: DOCKET_ALIAS, useValue: alias },
    {
      provide: DOCKET_RESOLVED_OPTIONS,
      useFactory: (options: DocketModuleOptions, name: string, testing?: DocketTesting) => {
        const resolved = resolveDocketModuleOptions(options, name, getWorkerOverrides());
        // Under DocketTestingModule: on its memory space, and no worker (its tester runs the work).
        return testing ? { ...resolved, docket: { ...resolved.docket, url: testing.url, tls: undefined }, worker: false as const } : resolved;
      },
      inject: [DOCKET_MODULE_OPTIONS, DOCKET_ALIAS, { token: DOCKET_TESTING, optional: true }],
    },
    {
      provide: DOCKET_CLIENT,
      useFactory: ({ docket, logFormat }: ResolvedDocketModuleOptions, testing?: DocketTesting) => {
        const made = new Docket({ ...docket, logger: docketLogger(docket.name, logFormat) });
        testing?.add(made);
        return made;
      },
      inject: [DOCKET_RESOLVED_OPTIONS, { token: DOCKET_TESTING, optional: true }],
    },
    {
      provide: DocketService,
      useFactory: (docket: Docket, options: ResolvedDocketModuleOptions) => new DocketService(docket, options.alias),
      inject: [DOCKET_CLIENT, DOCKET_RESOLVED_OPTIONS],
    },
    { provide: getDocketToken(alias), useExisting: DocketService },
    DocketMetadataAccessor,
    DocketExplorer,
    DocketWorkerHost,
    DocketHealthIndicator,
  ];
}

/** The docket's logger: the app's, through Nest's Logger, or JSON lines of its own. */
function docketLogger(name: string, format: 'nest' | 'json'): LoggerService {
  const context = `Docket:${name}`;
  return format === 'json' ? new ConsoleLogger(context, { json: true }) : new Logger(context);
}

/**
 * What a docket module registered under `alias` exports.
 *
 * @example
 * ({ module: DocketModule, exports: docketExports('emails') }); // DocketService, 'DocketService:emails'
 */
export function docketExports(alias: string): (string | typeof DocketService | typeof DocketHealthIndicator)[] {
  return [DocketService, getDocketToken(alias), DocketHealthIndicator];
}
