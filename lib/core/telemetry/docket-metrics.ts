/**
 * docket's metric instruments, made from the global MeterProvider. The OTel API has no proxy for
 * meters, so an app that registers its SDK after docket was loaded would otherwise keep no-op
 * instruments: they are made again whenever the global provider changes (one comparison per
 * batch of work).
 */
import type { Attributes, BatchObservableResult, Counter, Histogram, Meter, MeterProvider, Observable } from '@opentelemetry/api';
import type { DocketDepths } from '../store';
import { answerWithin } from '../util/deadline';
import { otelApi } from './otel-api';
import { ATTR, DOCKET_METRICS, TELEMETRY_SCOPE } from './telemetry-names';

/** The counters and histograms recorded as work happens. */
export interface DocketInstruments {
  readonly added: Counter;
  readonly scheduled: Counter;
  readonly replaced: Counter;
  readonly cancelled: Counter;
  readonly struck: Counter;
  readonly started: Counter;
  readonly redelivered: Counter;
  readonly completed: Counter;
  readonly failed: Counter;
  readonly retried: Counter;
  readonly quarantined: Counter;
  readonly duration: Histogram;
  readonly punctuality: Histogram;
}

type DepthReader = () => Promise<DocketDepths>;

/** The dockets whose depths the gauges report, by docket name: the readers of its holders (the first is read). */
const depthReaders = new Map<string, DepthReader[]>();

/** The workers of this process whose runs in progress the running gauge reports. */
const runningReaders = new Set<{ attributes: Attributes; read: () => number }>();

let provider: MeterProvider | undefined;
let instruments: DocketInstruments | undefined;

/** How long a collection waits for a docket's depths from Redis (ms). */
const GAUGE_READ_MS = 1_000;

/** Seconds histograms: boundaries from 1 ms to 5 min. */
const SECONDS_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

function make(meter: Meter): DocketInstruments {
  const counter = (m: { name: string; unit: string; description: string }): Counter =>
    meter.createCounter(m.name, { unit: m.unit, description: m.description });
  const seconds = (m: { name: string; unit: string; description: string }): Histogram =>
    meter.createHistogram(m.name, { unit: m.unit, description: m.description, advice: { explicitBucketBoundaries: SECONDS_BUCKETS } });
  const M = DOCKET_METRICS;
  const gauge = (m: { name: string; unit: string; description: string }): Observable =>
    meter.createObservableGauge(m.name, { unit: m.unit, description: m.description });
  const queue = gauge(M.queueDepth);
  const schedule = gauge(M.scheduleDepth);
  const oldest = gauge(M.oldestDueAge);
  const workers = gauge(M.liveWorkers);
  const running = gauge(M.running);
  meter.addBatchObservableCallback(async (result: BatchObservableResult) => {
    const now = Date.now();
    for (const { attributes, read } of runningReaders) result.observe(running, read(), attributes);
    await Promise.all(
      [...depthReaders].map(async ([name, [read]]) => {
        let depths: DocketDepths;
        try {
          // A scrape is not held up by a Redis that does not answer: past the bound, no reading.
          depths = await answerWithin(read(), GAUGE_READ_MS, new Error('late'));
        } catch {
          return; // The store is unreachable or late: no new reading rather than a false zero.
        }
        const attributes: Attributes = { [ATTR.docket]: name };
        result.observe(queue, depths.queued, attributes);
        result.observe(schedule, depths.scheduled, attributes);
        result.observe(oldest, depths.oldestDueAt === undefined ? 0 : Math.max(0, now - depths.oldestDueAt.getTime()) / 1000, attributes);
        result.observe(workers, depths.liveWorkers, attributes);
      }),
    );
  }, [queue, schedule, oldest, workers, running]);
  return {
    added: counter(M.added),
    scheduled: counter(M.scheduled),
    replaced: counter(M.replaced),
    cancelled: counter(M.cancelled),
    struck: counter(M.struck),
    started: counter(M.started),
    redelivered: counter(M.redelivered),
    completed: counter(M.completed),
    failed: counter(M.failed),
    retried: counter(M.retried),
    quarantined: counter(M.quarantined),
    duration: seconds(M.duration),
    punctuality: seconds(M.punctuality),
  };
}

/** The instruments of the global MeterProvider, or undefined without the OTel API. */
export function docketInstruments(): DocketInstruments | undefined {
  const api = otelApi();
  if (!api) return undefined;
  const current = api.metrics.getMeterProvider();
  if (current !== provider || !instruments) {
    provider = current;
    instruments = make(current.getMeter(TELEMETRY_SCOPE));
  }
  return instruments;
}

/**
 * Has the depth gauges report docket `name` through `read` until the returned function is
 * called. Several holders of one docket (two workers in a process) are read once, through the
 * oldest holder still registered.
 */
export function observeDepths(name: string, read: DepthReader): () => void {
  const readers = depthReaders.get(name) ?? [];
  readers.push(read);
  depthReaders.set(name, readers);
  // Made now, so that the gauges exist before the first collection.
  docketInstruments();
  return () => {
    const left = (depthReaders.get(name) ?? []).filter((r) => r !== read);
    if (left.length === 0) depthReaders.delete(name);
    else depthReaders.set(name, left);
  };
}

/**
 * Has the running gauge report `read()` (a worker's runs in progress) under docket `name` and
 * worker `worker` until the returned function is called. Read at collection: a run pays nothing.
 */
export function observeRunning(name: string, worker: string, read: () => number): () => void {
  const entry = { attributes: { [ATTR.docket]: name, [ATTR.worker]: worker }, read };
  runningReaders.add(entry);
  docketInstruments();
  return () => void runningReaders.delete(entry);
}
