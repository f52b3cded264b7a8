/**
 * Traces and metrics of one docket, through `@opentelemetry/api` only. Without the API installed,
 * or with it but no SDK registered, each call below returns after one check: nothing is made and
 * no trace context is written with the work.
 *
 * Producer spans (`docket.add <task>`, `docket.replace <task>`, `docket.add_many`, `docket.cancel`,
 * `docket.clear`, `docket.strike`, `docket.restore`) are children of the caller's active span.
 * The add's context travels with the execution's record; each run is a CONSUMER span
 * `docket.run <task>` whose parent is that context and which also links to it, so one trace goes
 * from the request that added the work to every attempt of its run.
 */
import type { Attributes, Context, Span, Tracer, TracerProvider } from '@opentelemetry/api';
import { docketInstruments, type DocketInstruments } from './docket-metrics';
import { otelApi, type OTel } from './otel-api';
import { ATTR, MESSAGING_SYSTEM, TELEMETRY_SCOPE } from './telemetry-names';

/** A producer operation's span: the trace context to send with the work, and its end. */
export interface ProducerSpan {
  /** The propagated context (JSON of the propagator's fields), or '' when there is none. */
  readonly carrier: string;
  /** Ends the span, with attributes learned from the answer. */
  end(attributes?: Attributes): void;
  /** Ends the span as failed. */
  fail(err: unknown): void;
}

/** A run's span: the context the task runs in, and its end. */
export interface RunSpan {
  /** Calls `fn` with the run's span as the active one. */
  within<T>(fn: () => T): T;
  end(outcome: string, err?: unknown): void;
}

let noopTracerProvider: TracerProvider | undefined;
let tracerOf: { provider: TracerProvider; tracer: Tracer } | undefined;

/** The API and docket's tracer, when an SDK has registered a tracer provider; null otherwise. */
function tracing(): { api: OTel; tracer: Tracer } | null {
  const api = otelApi();
  if (!api) return null;
  noopTracerProvider ??= new api.ProxyTracerProvider().getDelegate();
  const global = api.trace.getTracerProvider();
  const delegate = global instanceof api.ProxyTracerProvider ? global.getDelegate() : global;
  if (delegate === noopTracerProvider) return null;
  // One tracer per provider: asking the provider for it on every call costs a lookup by name.
  if (tracerOf?.provider !== delegate) tracerOf = { provider: delegate, tracer: delegate.getTracer(TELEMETRY_SCOPE) };
  return { api, tracer: tracerOf.tracer };
}

let noopCounter: unknown;

/** The instruments, when an SDK has registered a meter provider; undefined otherwise. */
export function liveInstruments(): DocketInstruments | undefined {
  const instruments = docketInstruments();
  if (!instruments) return undefined;
  noopCounter ??= otelApi()!.createNoopMeter().createCounter('noop');
  return instruments.added === noopCounter ? undefined : instruments;
}

function failSpan(api: OTel, span: Span, err: unknown): void {
  span.recordException(err instanceof Error ? err : String(err));
  span.setStatus({ code: api.SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
}

/** One docket's telemetry: its spans, and the attributes its metrics are recorded with. */
export class DocketTelemetry {
  private readonly byTask = new Map<string, Attributes>();
  private readonly byWorker = new Map<string, Attributes>();

  constructor(readonly docketName: string) {}

  /** `{ docket.name, docket.task }`, made once per task. */
  taskAttributes(task: string): Attributes {
    let attributes = this.byTask.get(task);
    if (!attributes) this.byTask.set(task, (attributes = { [ATTR.docket]: this.docketName, [ATTR.task]: task }));
    return attributes;
  }

  /** `{ docket.name, docket.task, docket.worker }`, made once per task and worker. */
  runAttributes(task: string, worker: string): Attributes {
    const id = `${worker}\u0000${task}`;
    let attributes = this.byWorker.get(id);
    if (!attributes) this.byWorker.set(id, (attributes = { ...this.taskAttributes(task), [ATTR.worker]: worker }));
    return attributes;
  }

  /**
   * Starts a producer span in the caller's context, or returns undefined without an SDK.
   * `operation` is add, replace, add_many, cancel, clear, strike or restore.
   */
  producer(operation: string, task: string | undefined, attributes?: Attributes): ProducerSpan | undefined {
    const on = tracing();
    if (!on) return undefined;
    const { api, tracer } = on;
    const sends = operation === 'add' || operation === 'replace' || operation === 'add_many';
    const { name, base } = this.producerBase(operation, task, sends);
    const span = tracer.startSpan(name, { kind: sends ? api.SpanKind.PRODUCER : api.SpanKind.CLIENT, attributes: base });
    if (attributes) span.setAttributes(attributes);
    let carrier = '';
    if (sends && api.isSpanContextValid(span.spanContext())) {
      const fields: Record<string, string> = {};
      api.propagation.inject(api.trace.setSpan(api.context.active(), span), fields);
      if (Object.keys(fields).length > 0) carrier = JSON.stringify(fields);
    }
    return {
      carrier,
      end(more) {
        if (more) span.setAttributes(more);
        span.end();
      },
      fail(err) {
        failSpan(api, span, err);
        span.end();
      },
    };
  }

  private readonly producerBases = new Map<string, { name: string; base: Attributes }>();

  /** A producer span's name and fixed attributes, made once per operation and task. */
  private producerBase(operation: string, task: string | undefined, sends: boolean): { name: string; base: Attributes } {
    const id = `${operation}\u0000${task ?? ''}`;
    let made = this.producerBases.get(id);
    if (!made) {
      // Adds are messaging operations; cancel, clear, strike and restore are not, and say only what docket names.
      const base: Attributes = sends
        ? { [ATTR.system]: MESSAGING_SYSTEM, [ATTR.operationName]: operation, [ATTR.operationType]: 'send', [ATTR.destination]: this.docketName, [ATTR.docket]: this.docketName }
        : { [ATTR.docket]: this.docketName };
      if (task) base[ATTR.task] = task;
      made = { name: task ? `docket.${operation} ${task}` : `docket.${operation}`, base };
      this.producerBases.set(id, made);
    }
    return made;
  }

  /**
   * Starts a run's CONSUMER span, parented to (and linked with) the context its add sent, or
   * returns undefined without an SDK. A carrier that cannot be read starts a new trace.
   */
  run(task: string, key: string, attempt: number, worker: string, when: number, carrier: string | undefined): RunSpan | undefined {
    const on = tracing();
    if (!on) return undefined;
    const { api, tracer } = on;
    let parent: Context = api.ROOT_CONTEXT;
    if (carrier) {
      try {
        const fields = JSON.parse(carrier) as unknown;
        if (fields && typeof fields === 'object') parent = api.propagation.extract(api.ROOT_CONTEXT, fields as Record<string, string>);
      } catch {
        // Not JSON: the run starts a trace of its own.
      }
    }
    const producer = api.trace.getSpanContext(parent);
    const attributes: Attributes = {
      [ATTR.system]: MESSAGING_SYSTEM,
      [ATTR.operationName]: 'run',
      [ATTR.operationType]: 'process',
      [ATTR.destination]: this.docketName,
      [ATTR.consumerGroup]: 'docket-workers',
      [ATTR.messageId]: key,
      [ATTR.docket]: this.docketName,
      [ATTR.task]: task,
      [ATTR.key]: key,
      [ATTR.attempt]: attempt,
      [ATTR.worker]: worker,
    };
    // A due time read back from Redis may be anything a number can be.
    const due = isoOf(new Date(when));
    if (due) attributes[ATTR.when] = due;
    const links = producer && api.isSpanContextValid(producer) ? [{ context: producer }] : [];
    const span = tracer.startSpan(`docket.run ${task}`, { kind: api.SpanKind.CONSUMER, attributes, links }, parent);
    const active = api.trace.setSpan(parent, span);
    return {
      within: (fn) => api.context.with(active, fn),
      end(outcome, err) {
        span.setAttribute(ATTR.outcome, outcome);
        if (err !== undefined) failSpan(api, span, err);
        span.end();
      },
    };
  }
}

/** Counts the outcome of producer calls: one reading of the instruments per batch. */
export function countAdds(telemetry: DocketTelemetry, calls: readonly { taskName: string; disposition: string }[]): void {
  const m = liveInstruments();
  if (!m) return;
  for (const { taskName, disposition } of calls) {
    const attributes = telemetry.taskAttributes(taskName);
    m.added.add(1, attributes);
    if (disposition === 'scheduled' || disposition === 'replaced') m.scheduled.add(1, attributes);
    if (disposition === 'replaced') m.replaced.add(1, attributes);
    if (disposition === 'struck') m.struck.add(1, { ...attributes, [ATTR.where]: 'producer' });
  }
}

/** Counts an item moved to the quarantine of docket `docketName`. */
export function countQuarantined(docketName: string, what: 'message' | 'record' | 'outcome'): void {
  liveInstruments()?.quarantined.add(1, { [ATTR.docket]: docketName, [ATTR.what]: what });
}

/** Counts executions the producer cancelled before they ran (cancel, clear). */
export function countCancelled(telemetry: DocketTelemetry, n: number): void {
  if (n > 0) liveInstruments()?.cancelled.add(n, { [ATTR.docket]: telemetry.docketName, [ATTR.where]: 'producer' });
}

/**
 * Runs `work` under `span`: ends it with the attributes `describe` gives of the answer (by
 * default, an execution's key and disposition), or as failed with the error, which is rethrown.
 */
export async function traced<T>(span: ProducerSpan, work: () => Promise<T>, describe?: (value: T) => Attributes): Promise<T> {
  let value: T;
  try {
    value = await work();
  } catch (err) {
    span.fail(err);
    throw err;
  }
  let attributes: Attributes | undefined;
  try {
    attributes = describe ? describe(value) : executionAttributes(value);
  } finally {
    // What the answer says is only decoration: the span ends, and the call succeeds, whatever it is.
    span.end(attributes);
  }
  return value;
}

/** `date` as ISO text, or undefined for a Date that is not one (a time out of range, NaN). */
function isoOf(date: Date): string | undefined {
  return Number.isFinite(date.getTime()) ? date.toISOString() : undefined;
}

function executionAttributes(value: unknown): Attributes {
  const e = value as { key?: unknown; disposition?: unknown; when?: unknown };
  const attributes: Attributes = {};
  if (typeof e?.key === 'string') attributes[ATTR.key] = attributes[ATTR.messageId] = e.key;
  if (typeof e?.disposition === 'string') attributes[ATTR.disposition] = e.disposition;
  const when = e?.when instanceof Date ? isoOf(e.when) : undefined;
  if (when) attributes[ATTR.when] = when;
  return attributes;
}

/**
 * How a run ended, as its metrics count it. `abandoned`: its worker stopped before it ended, and
 * it is left to redelivery (counted nowhere; its next start counts as redelivered).
 */
export type RunOutcome = 'completed' | 'failed' | 'retried' | 'cancelled' | 'abandoned';

/** A run's metrics from its start: `end` records its outcome and duration. */
export interface RunMeter {
  end(outcome: RunOutcome): void;
}

/** Records a run's start (started, redelivered, punctuality), or returns undefined without an SDK. */
export function meterRun(telemetry: DocketTelemetry, task: string, worker: string, when: number, redelivered: boolean, started: number): RunMeter | undefined {
  const m = liveInstruments();
  if (!m) return undefined;
  const attributes = telemetry.runAttributes(task, worker);
  m.started.add(1, attributes);
  if (redelivered) m.redelivered.add(1, attributes);
  m.punctuality.record(Math.max(0, started - when) / 1000, attributes);
  return {
    end(outcome) {
      if (outcome === 'abandoned') return;
      m.duration.record((Date.now() - started) / 1000, attributes);
      countOutcome(m, attributes, outcome);
    },
  };
}

/** Counts a run's outcome with the run's `attributes` (a cancellation at the worker says so). */
function countOutcome(m: DocketInstruments, attributes: Attributes, outcome: Exclude<RunOutcome, 'abandoned'>): void {
  if (outcome === 'cancelled') m.cancelled.add(1, { ...attributes, [ATTR.where]: 'worker' });
  else m[outcome].add(1, attributes);
}

/** Counts the outcome of a run that ended without starting (its arguments could not be read, say). */
export function countEnded(telemetry: DocketTelemetry, task: string, worker: string, outcome: RunOutcome): void {
  const m = liveInstruments();
  if (m && outcome !== 'abandoned') countOutcome(m, telemetry.runAttributes(task, worker), outcome);
}

/** Counts a run that ended CANCELLED at a worker without starting; `struck` when a strike stopped it. */
export function countNotStarted(telemetry: DocketTelemetry, task: string, worker: string, struck: boolean): void {
  const m = liveInstruments();
  if (!m) return;
  const attributes = telemetry.runAttributes(task, worker);
  countOutcome(m, attributes, 'cancelled');
  if (struck) m.struck.add(1, { ...attributes, [ATTR.where]: 'worker' });
}
