/**
 * An OpenTelemetry SDK for tests, registered globally for the test file that starts it: spans go
 * to an in-memory exporter, metrics are read on demand.
 */
import { context, metrics, propagation, trace, type Attributes } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { AggregationTemporality, MeterProvider, MetricReader, type DataPoint, type Histogram, type MetricData } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';

/** A reader that collects only when asked. */
class OnDemandReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

export class OTelHarness {
  readonly spans = new InMemorySpanExporter();
  readonly reader = new OnDemandReader();
  private readonly tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(this.spans)] });
  private readonly meterProvider = new MeterProvider({ readers: [this.reader] });
  private readonly contextManager = new AsyncLocalStorageContextManager();

  /** Registers the SDK as the process's global tracer, meter, context manager and propagator. */
  start(): this {
    this.contextManager.enable();
    context.setGlobalContextManager(this.contextManager);
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    trace.setGlobalTracerProvider(this.tracerProvider);
    metrics.setGlobalMeterProvider(this.meterProvider);
    return this;
  }

  /** Unregisters everything (the API answers with no-ops again). */
  async stop(): Promise<void> {
    trace.disable();
    metrics.disable();
    propagation.disable();
    context.disable();
    await this.tracerProvider.shutdown();
    await this.meterProvider.shutdown();
  }

  /** The finished spans whose name starts with `prefix`. */
  finished(prefix = ''): ReadableSpan[] {
    return this.spans.getFinishedSpans().filter((s) => s.name.startsWith(prefix));
  }

  /** Every metric as collected now, by name. */
  async collect(): Promise<Map<string, MetricData>> {
    const { resourceMetrics, errors } = await this.reader.collect();
    if (errors.length > 0) throw errors[0];
    const byName = new Map<string, MetricData>();
    for (const scope of resourceMetrics.scopeMetrics) for (const metric of scope.metrics) byName.set(metric.descriptor.name, metric);
    return byName;
  }

  /** The value of metric `name` at the data point whose attributes include `match` (0 when there is none). */
  async value(name: string, match: Attributes = {}): Promise<number> {
    const point = this.point(await this.collect(), name, match);
    return point === undefined ? 0 : (point.value as number);
  }

  /** The number of recordings of histogram `name` at the data point matching `match`. */
  async count(name: string, match: Attributes = {}): Promise<number> {
    const point = this.point(await this.collect(), name, match);
    return point === undefined ? 0 : (point.value as Histogram).count;
  }

  private point(all: Map<string, MetricData>, name: string, match: Attributes): DataPoint<unknown> | undefined {
    const metric = all.get(name);
    if (!metric) return undefined;
    const points = metric.dataPoints as DataPoint<unknown>[];
    return points.find((p) => Object.entries(match).every(([k, v]) => p.attributes[k] === v));
  }
}
