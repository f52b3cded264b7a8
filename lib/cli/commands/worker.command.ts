/**
 * `docket worker`: a worker-only process, for the built-in tasks or for the tasks of a Nest
 * module (`--module`). SIGTERM or SIGINT stops claiming, lets running tasks finish (up to the
 * drain timeout) and exits 0; a second signal exits at once.
 */
import { Option, type Command } from 'commander';
import { Worker } from '../../core/worker/worker';
import { setWorkerOverrides, type WorkerOverrides } from '../../nest/worker-overrides';
import { registerBuiltinTasks } from '../builtin-tasks';
import type { CliSession } from '../cli-context';
import { connectionOf, openDocket, type ConnectionOptions } from '../connection';
import { CliError, ExitCode } from '../cli-error';
import { LOG_LEVELS, LogSink, type LogFormat, type LogLevel } from '../cli-logger';
import { loadNestModule } from '../module-loader';
import { durationArg, portArg, positiveDurationArg, positiveIntArg, timerDurationArg, wholeNumberArg } from '../options';
import { startHealthServer, startMetricsServer, workerHealth, type OpsServer, type WorkerHealthOptions } from '../ops-servers';
import { DocketWorkerHost } from '../../nest/docket-worker.host';
import { listenForShutdown, type ShutdownSignals } from '../shutdown-signal';

interface WorkerCommandOptions extends Omit<WorkerOverrides, 'fallback'> {
  fallbackTask?: string;
  module?: string;
  logFormat: LogFormat;
  logLevel: LogLevel;
  metricsPort?: number;
  healthcheckPort?: number;
  healthTimeout?: number;
  healthMaxQueued?: number;
  healthMaxDueAge?: number;
}

/** The ops endpoints a worker was asked for. */
interface OpsOptions {
  metricsPort?: number;
  healthcheckPort?: number;
  health: WorkerHealthOptions;
}

/** Adds `worker` to the program. */
export function registerWorkerCommand(program: Command, session: CliSession): void {
  program
    .command('worker')
    .description('Run a worker: the built-in tasks (trace, fail, sleep), or the tasks of a Nest module')
    .option('--module <file[#Export]>', 'the compiled Nest module whose @Task() methods to run, e.g. ./dist/app.module.js#AppModule')
    .addOption(new Option('--name <name>', 'the worker name shown in events and snapshots (default: host#pid)').env('DOCKET_WORKER_NAME'))
    .addOption(new Option('--concurrency <n>', 'tasks run at once (default: 10)').argParser(positiveIntArg).env('DOCKET_WORKER_CONCURRENCY'))
    .addOption(
      new Option('--redelivery-timeout <duration>', "how long a dead worker's tasks wait before another worker takes them (default: 5m)")
        .argParser(positiveDurationArg)
        .env('DOCKET_WORKER_REDELIVERY_TIMEOUT'),
    )
    .addOption(
      new Option('--scheduling-resolution <duration>', 'how often due scheduled tasks are queued (default: 250ms)')
        .argParser(positiveDurationArg)
        .env('DOCKET_WORKER_SCHEDULING_RESOLUTION'),
    )
    .addOption(
      new Option('--drain-timeout <duration>', 'on SIGTERM/SIGINT, how long running tasks may finish before they are left to redelivery (default: 30s)')
        .argParser(durationArg)
        .env('DOCKET_WORKER_DRAIN_TIMEOUT'),
    )
    .addOption(new Option('--fallback-task <task>', "the task that runs the runs of tasks this worker does not have (default: put them back for a worker that has them)").env('DOCKET_WORKER_FALLBACK_TASK'))
    .addOption(
      new Option('--unknown-task-timeout <duration>', 'how long runs of a task no live worker has are put back before they fail (default: 5m)')
        .argParser(positiveDurationArg)
        .env('DOCKET_WORKER_UNKNOWN_TASK_TIMEOUT'),
    )
    .addOption(new Option('--metrics-port <port>', 'serve Prometheus metrics at http://0.0.0.0:<port>/metrics (needs @opentelemetry/api, @opentelemetry/sdk-metrics and @opentelemetry/exporter-prometheus)').argParser(portArg).env('DOCKET_WORKER_METRICS_PORT'))
    .addOption(new Option('--healthcheck-port <port>', 'answer GET http://0.0.0.0:<port>/ with 200 when healthy, 503 and the problems otherwise').argParser(portArg).env('DOCKET_WORKER_HEALTHCHECK_PORT'))
    .addOption(new Option('--health-timeout <duration>', 'with --healthcheck-port: the longest Redis round trip a health check accepts (default: 1s)').argParser(timerDurationArg).env('DOCKET_WORKER_HEALTH_TIMEOUT'))
    .addOption(new Option('--health-max-queued <n>', 'with --healthcheck-port: unhealthy when more executions than this are due and waiting').argParser(wholeNumberArg).env('DOCKET_WORKER_HEALTH_MAX_QUEUED'))
    .addOption(new Option('--health-max-due-age <duration>', 'with --healthcheck-port: unhealthy when the oldest due execution has waited longer than this').argParser(positiveDurationArg).env('DOCKET_WORKER_HEALTH_MAX_DUE_AGE'))
    .addOption(new Option('--log-format <format>', 'log lines as text or as JSON objects').choices(['plain', 'json']).default('plain').env('DOCKET_LOG_FORMAT'))
    .addOption(new Option('--log-level <level>', 'the lowest level logged').choices(LOG_LEVELS).default('info').env('DOCKET_LOG_LEVEL'))
    .addHelpText('after', '\nDurations: 500ms, 30s, 5m, 1h or mm:ss. With --module, the module\'s DocketModule options pick the docket and Redis; --url and --docket are not used.')
    .action(async (options: WorkerCommandOptions, command: Command) => {
      const sink = new LogSink(options.logFormat, options.logLevel, session.io.stdout);
      const overrides = definedOverrides(options);
      const signals = listenForShutdown((signal) => {
        sink.write('warn', 'Docket', `Received ${signal} again: exiting without waiting for running tasks`);
        process.exit(ExitCode.INTERRUPTED);
      });
      const ignored = ['url', 'docket'].filter((key) => command.getOptionValueSourceWithGlobals(key) === 'cli');
      if (options.module && ignored.length > 0) {
        sink.write('warn', 'Docket', `--${ignored.join(' and --')} ignored: with --module, the module's DocketModule options choose the docket and Redis`);
      }
      const healthFlags = ['healthTimeout', 'healthMaxQueued', 'healthMaxDueAge'].filter((key) => options[key as keyof WorkerCommandOptions] !== undefined);
      if (options.healthcheckPort === undefined && healthFlags.length > 0) {
        const flags = healthFlags.map((key) => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`);
        sink.write('warn', 'Docket', `${flags.join(', ')} ignored: there is no health check without --healthcheck-port`);
      }
      const ops: OpsOptions = {
        metricsPort: options.metricsPort,
        healthcheckPort: options.healthcheckPort,
        health: { timeout: options.healthTimeout, maxQueued: options.healthMaxQueued, maxDueAge: options.healthMaxDueAge },
      };
      try {
        session.exitCode = options.module
          ? await runModuleWorker(options.module, overrides, sink, signals, ops)
          : await runBuiltinWorker(connectionOf(command, session.io.env), overrides, sink, signals, ops);
      } finally {
        signals.dispose();
      }
    });
}

async function runBuiltinWorker(connection: ConnectionOptions, overrides: WorkerOverrides, sink: LogSink, signals: ShutdownSignals, ops: OpsOptions): Promise<ExitCode> {
  // Before the worker starts, so that its first runs are counted.
  const servers: OpsServer[] = ops.metricsPort === undefined ? [] : [await startMetricsServer(ops.metricsPort, sink)];
  const docket = await openDocket(connection, sink.docketLogger(), registerBuiltinTasks).catch(async (err: unknown) => {
    await closeAll(servers);
    throw err;
  });
  try {
    const worker = new Worker(docket, overrides);
    if (ops.healthcheckPort !== undefined) servers.push(await startHealthServer(ops.healthcheckPort, workerHealth(docket, worker.name, ops.health), sink));
    const running = worker.runForever();
    const stoppedByItself = running.then(() => Promise.reject(new Error(`Worker ${worker.name} stopped without being asked to`)));
    const signal = await Promise.race([signals.received, stoppedByItself]);
    sink.write('info', 'Docket', `Received ${signal}: finishing running tasks, then exiting`);
    await worker.stop();
    await running;
    sink.write('info', 'Docket', `Worker ${worker.name} stopped`);
    return ExitCode.OK;
  } finally {
    await closeAll(servers);
    await docket.close();
  }
}

async function closeAll(servers: readonly OpsServer[]): Promise<void> {
  await Promise.all(servers.map((s) => s.close()));
}

async function runModuleWorker(spec: string, overrides: WorkerOverrides, sink: LogSink, signals: ShutdownSignals, ops: OpsOptions): Promise<ExitCode> {
  const { moduleClass, exportName, nestFactory } = loadNestModule(spec);
  setWorkerOverrides(overrides);
  const servers: OpsServer[] = ops.metricsPort === undefined ? [] : [await startMetricsServer(ops.metricsPort, sink)];
  try {
    // abortOnError: false makes a failed bootstrap throw (and exit with a message) instead of
    // calling process.abort().
    const app = await nestFactory.createApplicationContext(moduleClass, { logger: sink.nestLogger(), abortOnError: false });
    try {
      if (ops.healthcheckPort !== undefined) {
        // The module's docket and its worker (the first module's, with several).
        const host = app.get(DocketWorkerHost, { strict: false });
        const name = host.workerName;
        if (name === undefined) throw new CliError('--healthcheck-port: the module runs no worker (its DocketModule says worker: false and no override applies).', ExitCode.USAGE);
        servers.push(await startHealthServer(ops.healthcheckPort, workerHealth(host.client, name, ops.health), sink));
      }
      sink.write('info', 'Docket', `Running the tasks of ${exportName}; stop with SIGTERM or SIGINT`);
      const signal = await signals.received;
      sink.write('info', 'Docket', `Received ${signal}: finishing running tasks, then exiting`);
    } finally {
      // close() runs the modules' shutdown hooks, where DocketModule drains its worker: also when
      // the health server could not start.
      await app.close();
    }
    return ExitCode.OK;
  } finally {
    await closeAll(servers);
  }
}

function definedOverrides(options: WorkerCommandOptions): WorkerOverrides {
  const { concurrency, redeliveryTimeout, schedulingResolution, drainTimeout, name, fallbackTask, unknownTaskTimeout } = options;
  const all: WorkerOverrides = { concurrency, redeliveryTimeout, schedulingResolution, drainTimeout, name, fallback: fallbackTask, unknownTaskTimeout };
  return Object.fromEntries(Object.entries(all).filter(([, v]) => v !== undefined)) as WorkerOverrides;
}
