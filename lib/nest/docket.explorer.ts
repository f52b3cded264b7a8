import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, ModuleRef } from '@nestjs/core';
import type { InstanceWrapper } from '@nestjs/core/injector/instance-wrapper';
import { DOCKET_RESOLVED_OPTIONS } from './docket.constants';
import { DocketMetadataAccessor } from './docket-metadata.accessor';
import type { ResolvedDocketModuleOptions } from './docket-module-options.resolver';
import { SCOPED_TASK_SKIPPED } from './docket.messages';
import { DocketService } from './docket.service';
import { UnknownTaskDocketError } from './errors/unknown-task-docket.error';
import type { TaskMetadata, TaskOptions } from './interfaces/task-options.interface';
import { createTaskBinding } from './task-binding.factory';
import type { TaskFunction } from '../core/tasks/task-registry';

type Method = (...args: unknown[]) => unknown;

/**
 * Finds the `@Task()` methods of the app's providers and controllers once, at module init, and
 * registers those that belong to this module's docket. One explorer runs per docket module.
 *
 * @example
 * providers: [DocketMetadataAccessor, DocketExplorer] // in each DocketModule; runs at onModuleInit
 */
@Injectable()
export class DocketExplorer implements OnModuleInit {
  private readonly logger = new Logger('DocketExplorer');

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly accessor: DocketMetadataAccessor,
    private readonly moduleRef: ModuleRef,
    private readonly service: DocketService,
    @Inject(DOCKET_RESOLVED_OPTIONS) private readonly options: ResolvedDocketModuleOptions,
  ) {}

  async onModuleInit(): Promise<void> {
    const wrappers = [...this.discovery.getProviders(), ...this.discovery.getControllers()];
    const dockets = this.knownDockets(wrappers);
    for (const wrapper of wrappers) {
      const { instance } = wrapper;
      if (!instance || typeof instance !== 'object') continue;
      const prototype = Object.getPrototypeOf(instance) as object | null;
      for (const methodName of this.scanner.getAllMethodNames(prototype)) {
        const method = (instance as Record<string, Method>)[methodName];
        const metadata = this.accessor.getTaskMetadata(method);
        if (!metadata) continue;
        const origin = `${instance.constructor.name}.${methodName}`;
        if (!wrapper.isDependencyTreeStatic() || wrapper.isTransient) {
          this.logger.warn(SCOPED_TASK_SKIPPED(origin, this.options.alias));
          continue;
        }
        const options = await this.resolveOptions(metadata);
        if (options.docket !== undefined && !dockets.includes(options.docket)) {
          throw new UnknownTaskDocketError(origin, options.docket, dockets);
        }
        if (options.docket !== undefined && options.docket !== this.options.alias && options.docket !== this.service.name) {
          continue;
        }
        this.register(instance, method, methodName, origin, options);
      }
    }
  }

  private register(instance: object, method: Method, methodName: string, origin: string, options: TaskOptions): void {
    const taskName = options.name ?? methodName;
    const { invoke, describe, parameters } = createTaskBinding({
      instance,
      method,
      taskName,
      injected: this.accessor.getInjectedParams(method),
      logged: this.accessor.getLoggedParams(method),
      service: this.service,
    });
    const { retry, timeout, concurrency, perpetual, cron, debounce, cooldown, rateLimit } = options;
    this.service.docket.register<TaskFunction>(method, { name: taskName, invoke, describe, parameters, origin, retry, timeout, concurrency, perpetual, cron, debounce, cooldown, rateLimit });
  }

  /** Literal options as they are; a factory's after resolving what it injects, app-wide. */
  private async resolveOptions(metadata: TaskMetadata): Promise<TaskOptions> {
    if (!('useFactory' in metadata)) return metadata;
    const providers = (metadata.inject ?? []).map((token) => this.moduleRef.get<unknown>(token, { strict: false }));
    return (metadata.useFactory as (...deps: unknown[]) => TaskOptions | Promise<TaskOptions>)(...providers);
  }

  /** Every name a `@Task({ docket })` may use: each docket module's alias and docket name. */
  private knownDockets(wrappers: readonly InstanceWrapper[]): string[] {
    const names = new Set<string>();
    for (const { instance } of wrappers) {
      if (instance instanceof DocketService) names.add(instance.alias).add(instance.name);
    }
    return [...names].sort();
  }
}
