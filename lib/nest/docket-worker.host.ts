import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown, type OnModuleDestroy } from '@nestjs/common';
import type { Docket } from '../core/producer/docket';
import { Worker } from '../core/worker/worker';
import { DOCKET_CLIENT, DOCKET_RESOLVED_OPTIONS } from './docket.constants';
import type { ResolvedDocketModuleOptions } from './docket-module-options.resolver';
import { WORKER_FAILED } from './docket.messages';

/**
 * Runs a docket module's I/O by lifecycle phase: at bootstrap it checks that Redis answers and
 * starts the worker; on shutdown it stops claiming and drains running tasks; last, it closes the
 * docket's connections.
 *
 * NOTE: the drain runs in onModuleDestroy, the earliest shutdown hook, rather than in
 * beforeApplicationShutdown, which Nest calls only after every module's onModuleDestroy: so the
 * tasks being finished still have the providers that release their resources in any later hook
 * (and those of the modules Nest destroys after this one), and the HTTP server is still up.
 *
 * @example
 * providers: [DocketWorkerHost] // in each DocketModule; Nest calls its hooks
 */
@Injectable()
export class DocketWorkerHost implements OnApplicationBootstrap, OnModuleDestroy, OnApplicationShutdown {
  private worker?: Worker;
  private running?: Promise<void>;

  constructor(
    @Inject(DOCKET_CLIENT) private readonly docket: Docket,
    @Inject(DOCKET_RESOLVED_OPTIONS) private readonly options: ResolvedDocketModuleOptions,
  ) {}

  /** The running worker's name, or undefined when this module runs none (for `docket worker`'s health check). */
  get workerName(): string | undefined {
    return this.worker?.name;
  }

  /** The module's docket. */
  get client(): Docket {
    return this.docket;
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.docket.connect();
    if (this.options.worker === false) return;
    const worker = new Worker(this.docket, this.options.worker);
    this.worker = worker;
    this.running = worker.runForever().catch((err: unknown) => {
      new Logger(`Docket:${this.docket.name}`).error(WORKER_FAILED(this.docket.name, err));
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.worker?.stop();
    await this.running;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.docket.close();
  }
}
