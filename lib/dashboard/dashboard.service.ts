/**
 * The dashboard's server side: which dockets it shows, its feed, one execution's details, and
 * the actions.
 */
import { Inject, Injectable, InternalServerErrorException, Logger, NotFoundException, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { InvalidOptionsError } from '../core/errors/docket.errors';
import { isTerminal } from '../core/execution/execution-state.enum';
import { Docket } from '../core/producer/docket';
import { DocketService } from '../nest/docket.service';
import type { WireExecution } from './dashboard-wire';
import { DASHBOARD_OPTIONS, type ResolvedDashboardOptions } from './dashboard.options';
import { rowOf, withoutSeq } from './server/board-rows';
import { DashboardFeed } from './server/dashboard-feed';

const RESULT_TEXT_LIMIT = 4_096;

/** @internal */
@Injectable()
export class DashboardService implements OnApplicationBootstrap, OnModuleDestroy {
  readonly feed: DashboardFeed;
  private dockets: Docket[] = [];
  private readonly logger = new Logger('DocketDashboard');

  constructor(
    @Inject(DASHBOARD_OPTIONS) private readonly options: ResolvedDashboardOptions,
    private readonly discovery: DiscoveryService,
  ) {
    this.feed = new DashboardFeed(() => this.dockets, options.readOnly, { warn: (message) => this.logger.warn(message) });
  }

  /** Finds the app's dockets; a name in `dockets` that the app does not have is an error at start. */
  onApplicationBootstrap(): void {
    const found = new Map<string, Docket>();
    for (const wrapper of this.discovery.getProviders()) {
      const instance: unknown = wrapper.instance;
      const docket = instance instanceof DocketService ? instance.docket : instance instanceof Docket ? instance : undefined;
      if (docket && !found.has(docket.name)) found.set(docket.name, docket);
    }
    const wanted = this.options.dockets;
    if (!wanted) {
      this.dockets = [...found.values()];
      return;
    }
    const missing = wanted.filter((name) => !found.has(name));
    if (missing.length > 0) {
      throw new InvalidOptionsError(
        `DocketDashboardModule: no docket named ${missing.map((n) => `"${n}"`).join(', ')} in this app (it has ${[...found.keys()].map((n) => `"${n}"`).join(', ') || 'none'}). Import DocketModule for it, or fix the name in dockets.`,
      );
    }
    this.dockets = wanted.map((name) => found.get(name)!);
  }

  /** Ends the pages' streams first, so that the HTTP server does not wait for them to close. */
  onModuleDestroy(): void {
    this.feed.close();
  }

  /** @throws NotFoundException naming the dockets shown. */
  docket(name: string): Docket {
    const docket = this.dockets.find((d) => d.name === name);
    if (!docket) throw new NotFoundException(`The dashboard shows no docket "${name}" (it shows ${this.dockets.map((d) => `"${d.name}"`).join(', ') || 'none'}).`);
    return docket;
  }

  /** One execution: its call, outcome and the timeline this server heard. */
  async execution(docketName: string, key: string): Promise<WireExecution> {
    const docket = this.docket(docketName);
    const record = await docket.withStore((store) => store.read(key)).catch((err: unknown) => {
      throw new InternalServerErrorException(`The record of execution "${key}" of docket "${docketName}" could not be read: ${err instanceof Error ? err.message : String(err)}`);
    });
    if (!record) throw new NotFoundException(`Docket "${docketName}" has no execution "${key}" (never added, or its record expired).`);
    return {
      ...withoutSeq(rowOf(docket, record)),
      docket: docketName,
      completedAt: record.completedAt,
      attempt: record.attempt,
      result: isTerminal(record.state) && record.result !== undefined ? resultText(docket, record.result) : undefined,
      timeline: this.feed.board(docketName)?.timeline(key) ?? [],
    };
  }

  async cancel(docketName: string, key: string): Promise<{ outcome: string }> {
    const outcome = await this.docket(docketName).cancel(key);
    return { outcome };
  }

  async strike(docketName: string, task: string, restore: boolean): Promise<{ changed: boolean }> {
    const docket = this.docket(docketName);
    const changed = restore ? await docket.restore(task) : await docket.strike(task);
    await this.feed.refresh();
    return { changed };
  }
}

/** The result as JSON text for the page, cut at 4 KiB; one that cannot be decoded says so. */
function resultText(docket: Docket, encoded: string): string {
  try {
    const text = JSON.stringify(docket.codec.decode(encoded), null, 2) ?? 'undefined';
    return text.length > RESULT_TEXT_LIMIT ? `${text.slice(0, RESULT_TEXT_LIMIT)}… (${text.length} characters)` : text;
  } catch (err) {
    return `(the result could not be decoded: ${String(err)})`;
  }
}
