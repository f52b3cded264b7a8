/**
 * The worker's operations endpoints: Prometheus metrics (`--metrics-port`) and a health check
 * (`--healthcheck-port`), each an HTTP server of its own that closes with the worker.
 */
import { createServer, type Server } from 'node:http';
import { checkHealthOptions, type DocketHealth } from '../core/producer/docket-health';
import { answerWithin } from '../core/util/deadline';
import { CliError, ExitCode } from './cli-error';
import type { LogSink } from './cli-logger';

/** A running endpoint: its port, and how to close it. */
export interface OpsServer {
  readonly port: number;
  close(): Promise<void>;
}

const METRICS_PACKAGES = '@opentelemetry/api @opentelemetry/sdk-metrics @opentelemetry/exporter-prometheus';

interface MetricsModules {
  api: typeof import('@opentelemetry/api');
  sdk: typeof import('@opentelemetry/sdk-metrics');
  exporter: typeof import('@opentelemetry/exporter-prometheus');
}

/** The OTel packages `--metrics-port` needs (optional peers of nestjs-docket), or a CliError saying how to add them. */
function loadMetricsModules(): MetricsModules {
  try {
    /* eslint-disable @typescript-eslint/no-require-imports */
    return {
      api: require('@opentelemetry/api') as MetricsModules['api'],
      sdk: require('@opentelemetry/sdk-metrics') as MetricsModules['sdk'],
      exporter: require('@opentelemetry/exporter-prometheus') as MetricsModules['exporter'],
    };
    /* eslint-enable @typescript-eslint/no-require-imports */
  } catch (err) {
    throw new CliError(
      `--metrics-port needs the OpenTelemetry packages, which are optional: npm install ${METRICS_PACKAGES} (${(err as Error).message.split('\n')[0]})`,
      ExitCode.FAILED,
    );
  }
}

/**
 * The resource naming this process: `OTEL_SERVICE_NAME`, or `docket-worker`, over the SDK's
 * defaults; nothing (the SDK's defaults alone) when @opentelemetry/resources cannot be loaded.
 */
function serviceResource(): { resource?: import('@opentelemetry/resources').Resource } {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const resources = require('@opentelemetry/resources') as typeof import('@opentelemetry/resources');
    const name = process.env.OTEL_SERVICE_NAME?.trim() || 'docket-worker';
    return { resource: resources.defaultResource().merge(resources.resourceFromAttributes({ 'service.name': name })) };
  } catch {
    return {};
  }
}

/**
 * Serves Prometheus text at `http://0.0.0.0:port/metrics` through OTel's Prometheus exporter,
 * made the process's global MeterProvider before the worker starts.
 */
export async function startMetricsServer(port: number, sink: LogSink): Promise<OpsServer> {
  const { api, sdk, exporter } = loadMetricsModules();
  const prometheus = await new Promise<InstanceType<MetricsModules['exporter']['PrometheusExporter']>>((resolve, reject) => {
    const made = new exporter.PrometheusExporter({ port, host: '0.0.0.0' }, (err) => {
      if (err) reject(new CliError(`--metrics-port ${port}: cannot listen (${err.message}); pick a free port.`, ExitCode.FAILED));
      else resolve(made);
    });
  });
  const provider = new sdk.MeterProvider({ readers: [prometheus], ...serviceResource() });
  if (!api.metrics.setGlobalMeterProvider(provider)) {
    // The module's own code registered an OTel SDK first: docket's metrics go to that one.
    sink.write('warn', 'Docket', `--metrics-port ${port}: another MeterProvider is already registered in this process, so docket's metrics go to it and not to this endpoint; export them from that SDK instead`);
  }
  sink.write('info', 'Docket', `Serving Prometheus metrics on http://0.0.0.0:${port}/metrics`);
  return {
    port,
    close: async () => {
      await provider.shutdown();
    },
  };
}

/**
 * Answers any GET on `port` with the worker's health as JSON: 200 when healthy, 503 with the
 * problems otherwise.
 */
export async function startHealthServer(port: number, check: () => Promise<DocketHealth>, sink: LogSink): Promise<OpsServer> {
  const server: Server = createServer((request, response) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    check().then(
      (health) => {
        const body = JSON.stringify({ status: health.healthy ? 'ok' : 'error', ...health });
        response.writeHead(health.healthy ? 200 : 503, { 'content-type': 'application/json' }).end(request.method === 'HEAD' ? undefined : body);
      },
      (err: unknown) => {
        response.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'error', problems: [String(err)] }));
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    const refused = (err: Error): void => reject(new CliError(`--healthcheck-port ${port}: cannot listen (${err.message}); pick a free port.`, ExitCode.FAILED));
    server.once('error', refused);
    server.listen(port, '0.0.0.0', () => {
      server.off('error', refused);
      // Once listening, a server error is logged; it does not end the worker.
      server.on('error', (err) => sink.write('error', 'Docket', `Health check server on port ${port}: ${err.message}`));
      resolve();
    });
  });
  sink.write('info', 'Docket', `Answering health checks on http://0.0.0.0:${port}/`);
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** What a worker's health check holds it to (see `docket worker --help`). */
export interface WorkerHealthOptions {
  timeout?: number;
  maxQueued?: number;
  maxDueAge?: number;
}

/**
 * The health of a worker process: the docket's checks, and its own heartbeat among the live
 * workers (a worker whose loop stopped beating is not healthy, however many others are).
 */
export function workerHealth(
  docket: { health(options: { timeout?: number; minWorkers?: number; maxQueued?: number; maxDueAge?: number }): Promise<DocketHealth>; workers(): Promise<{ name: string }[]> },
  workerName: string,
  options: WorkerHealthOptions,
): () => Promise<DocketHealth> {
  // Refused at start, not at the first probe.
  checkHealthOptions(options);
  const timeout = options.timeout ?? 1_000;
  return async () => {
    const health = await docket.health({ ...options, minWorkers: 0 });
    if (!health.depths) return health;
    const unwell = (problem: string): DocketHealth => ({ ...health, healthy: false, problems: [...health.problems, problem] });
    try {
      const live = await answerWithin(docket.workers(), timeout, new Error(`Redis did not answer within ${timeout} ms`));
      return live.some((w) => w.name === workerName) ? health : unwell(`worker ${workerName} has no fresh heartbeat`);
    } catch (err) {
      return unwell(`the live workers could not be read: ${err instanceof Error ? err.message : String(err)}`);
    }
  };
}
