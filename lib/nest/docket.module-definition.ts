import { ConfigurableModuleBuilder } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { DEFAULT_DOCKET_NAME, DOCKET_MODULE_OPTIONS } from './docket.constants';
import { createDocketProviders, docketExports } from './docket.providers';
import type { DocketModuleOptions } from './interfaces/docket-module-options.interface';

/**
 * Options of `forRoot`/`forRootAsync` that shape the module itself rather than the docket.
 *
 * @example
 * DocketModule.forRootAsync({ name: 'emails', isGlobal: true, useFactory: () => ({ url }) });
 */
export interface DocketModuleExtras {
  /** Register the module globally, so that feature modules need not import it. @default false */
  readonly isGlobal?: boolean;
  /**
   * The name `@InjectDocket(name)` and `@Task({ docket })` use; also the docket's name unless
   * the options rename it.
   * @default 'docket'
   */
  readonly name?: string;
}

/**
 * The base of {@link DocketModule}: `forRoot(options)` and `forRootAsync({ imports, inject,
 * useFactory | useClass | useExisting })`, with the extras above, made by Nest's builder.
 *
 * @example
 * export class DocketModule extends ConfigurableModuleClass {}
 */
export const { ConfigurableModuleClass } = new ConfigurableModuleBuilder<DocketModuleOptions>({
  optionsInjectionToken: DOCKET_MODULE_OPTIONS,
})
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createDocketOptions')
  .setExtras<DocketModuleExtras>({ isGlobal: false, name: DEFAULT_DOCKET_NAME }, (definition, extras) => {
    const alias = extras.name ?? DEFAULT_DOCKET_NAME;
    return {
      ...definition,
      global: extras.isGlobal,
      imports: [...(definition.imports ?? []), DiscoveryModule],
      providers: [...(definition.providers ?? []), ...createDocketProviders(alias)],
      exports: docketExports(alias),
    };
  })
  .build();
