/**
 * The names docket reports under, in one place: the instrumentation scope, span names, attribute
 * keys and metric names. README's "Metrics" table lists the same names.
 */

/** The instrumentation scope of every tracer and meter docket uses. */
export const TELEMETRY_SCOPE = 'nestjs-docket';

/** Attribute keys: OTel's messaging conventions where they fit, `docket.*` for the rest. */
export const ATTR = {
  system: 'messaging.system',
  operationName: 'messaging.operation.name',
  operationType: 'messaging.operation.type',
  destination: 'messaging.destination.name',
  messageId: 'messaging.message.id',
  consumerGroup: 'messaging.consumer.group.name',
  batchCount: 'messaging.batch.message_count',
  docket: 'docket.name',
  task: 'docket.task',
  key: 'docket.key',
  when: 'docket.when',
  attempt: 'docket.attempt',
  worker: 'docket.worker',
  outcome: 'docket.outcome',
  disposition: 'docket.disposition',
  where: 'docket.where',
  what: 'docket.quarantine.what',
} as const;

/** `messaging.system` of docket's spans (not one of the conventions' listed systems). */
export const MESSAGING_SYSTEM = 'docket';

/**
 * Every metric docket reports through the global OTel MeterProvider: name, kind, unit and what
 * moves it. Counters and histograms are recorded where the event happens; gauges are read from
 * Redis (one round trip per docket) when a reader collects, by each process that runs a worker.
 * A Prometheus exporter turns `docket.tasks.added` into `docket_tasks_added_total`.
 *
 * @example
 * for (const { name, kind, unit } of Object.values(DOCKET_METRICS)) console.log(name, kind, unit);
 */
export const DOCKET_METRICS = {
  added: { name: 'docket.tasks.added', kind: 'counter', unit: '{call}', description: 'Calls of add, replace and addMany, whatever their disposition' },
  scheduled: { name: 'docket.tasks.scheduled', kind: 'counter', unit: '{execution}', description: 'Calls that made a new execution (scheduled, queued or replacing one)' },
  replaced: { name: 'docket.tasks.replaced', kind: 'counter', unit: '{execution}', description: 'replace() calls that superseded an execution' },
  cancelled: { name: 'docket.tasks.cancelled', kind: 'counter', unit: '{execution}', description: 'Executions that ended CANCELLED, by docket.where: producer (cancel, clear) or worker' },
  struck: { name: 'docket.tasks.struck', kind: 'counter', unit: '{execution}', description: 'Calls refused by a strike (docket.where=producer) and queued runs cancelled by one (worker)' },
  started: { name: 'docket.tasks.started', kind: 'counter', unit: '{run}', description: 'Runs started by a worker' },
  redelivered: { name: 'docket.tasks.redelivered', kind: 'counter', unit: '{run}', description: 'Runs started from a message taken over from a worker that stopped without finishing' },
  completed: { name: 'docket.tasks.completed', kind: 'counter', unit: '{run}', description: 'Runs that ended COMPLETED' },
  failed: { name: 'docket.tasks.failed', kind: 'counter', unit: '{run}', description: 'Runs that ended FAILED (no retry left)' },
  retried: { name: 'docket.tasks.retried', kind: 'counter', unit: '{run}', description: 'Failed attempts scheduled to be tried again' },
  quarantined: { name: 'docket.quarantined', kind: 'counter', unit: '{item}', description: 'Items moved to the quarantine, by docket.quarantine.what' },
  duration: { name: 'docket.task.duration', kind: 'histogram', unit: 's', description: 'How long runs took, from start to outcome' },
  punctuality: { name: 'docket.task.punctuality', kind: 'histogram', unit: 's', description: 'How late runs started: start time minus due time' },
  running: { name: 'docket.tasks.running', kind: 'gauge', unit: '{run}', description: 'Runs in progress on this worker' },
  queueDepth: { name: 'docket.queue.depth', kind: 'gauge', unit: '{execution}', description: 'Executions due and waiting for a worker (not yet delivered)' },
  scheduleDepth: { name: 'docket.schedule.depth', kind: 'gauge', unit: '{execution}', description: 'Executions scheduled for later (including retries and parked runs)' },
  oldestDueAge: { name: 'docket.queue.oldest_due_age', kind: 'gauge', unit: 's', description: 'How long the oldest due execution not yet started has been due' },
  liveWorkers: { name: 'docket.workers.live', kind: 'gauge', unit: '{worker}', description: 'Workers whose heartbeat is fresh' },
} as const;
