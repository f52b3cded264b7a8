/**
 * An OpenTelemetry SDK for the bench's "with telemetry" variant (DOCKET_BENCH_OTEL=1): spans go
 * through a BatchSpanProcessor with its default settings to an exporter that drops them, and
 * metrics are aggregated by a MeterProvider whose reader exports every minute to nowhere. What is
 * measured is what recording costs docket's processes, not an exporter's network.
 */
import { context, metrics, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { ExportResultCode, W3CTraceContextPropagator, type ExportResult } from '@opentelemetry/core';
import { AggregationTemporality, MeterProvider, PeriodicExportingMetricReader, type PushMetricExporter, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, BatchSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';

class DroppingSpans implements SpanExporter {
  exported = 0;
  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.exported += spans.length;
    done({ code: ExportResultCode.SUCCESS });
  }
  async shutdown(): Promise<void> {}
}

class DroppingMetrics implements PushMetricExporter {
  export(_metrics: ResourceMetrics, done: (result: ExportResult) => void): void {
    done({ code: ExportResultCode.SUCCESS });
  }
  selectAggregationTemporality(): AggregationTemporality {
    return AggregationTemporality.CUMULATIVE;
  }
  async forceFlush(): Promise<void> {}
  async shutdown(): Promise<void> {}
}

let registered = false;

/**
 * Registers the SDK globally in this process (once): DOCKET_BENCH_OTEL=1 for traces and metrics,
 * `traces` or `metrics` for one of them.
 */
export function benchTelemetry(): void {
  const which = process.env.DOCKET_BENCH_OTEL;
  if (registered || !which || which === '0') return;
  registered = true;
  if (which === '1' || which === 'traces') {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(new DroppingSpans())] }));
  }
  if (which === '1' || which === 'metrics') {
    metrics.setGlobalMeterProvider(new MeterProvider({ readers: [new PeriodicExportingMetricReader({ exporter: new DroppingMetrics(), exportIntervalMillis: 60_000 })] }));
  }
}
