/**
 * The one place where a docket's Redis key and channel names are made.
 *
 * Every name starts with the docket's prefix. With `hashTag` the prefix is `{name}`, so that
 * every key of a docket hashes to one Redis Cluster slot and the multi-key scripts stay legal.
 */
export class DocketKeys {
  /** The prefix shared by every key and channel of the docket. */
  readonly prefix: string;
  /** The stream of due work, consumed through {@link DocketKeys.group}. */
  readonly stream: string;
  /** The sorted set of future work, scored by due time in epoch milliseconds. */
  readonly queue: string;
  /** The sorted set of live workers, scored by their last heartbeat. */
  readonly workers: string;
  /** The channel on which cancellation of running executions is announced. */
  readonly cancelChannel: string;
  /** The pattern that matches every execution's event channel. */
  readonly eventsPattern: string;
  /** The lease that lets one worker of the fleet sweep for abandoned messages at a time. */
  readonly sweepLease: string;
  /** Where the redelivery sweep's cursor is kept between passes. */
  readonly sweepCursor: string;
  /** The hash of the strikes in effect (see tasks/strike-list.ts), by rule. */
  readonly strikes: string;
  /** The channel on which strikes and restores are announced to every process of the docket. */
  readonly strikesChannel: string;
  /**
   * The stream of what the engine could not read (stream entries, records, outcomes), moved aside
   * with why and when; also the channel on which each is announced.
   */
  readonly quarantine: string;
  /** The consumer group; groups are scoped to their stream, so it needs no prefix. */
  readonly group = 'docket-workers';

  /** @param name the docket's name (kept as {@link DocketKeys.name}) */
  constructor(readonly name: string, hashTag = false) {
    this.prefix = hashTag ? `{${name}}` : name;
    this.stream = `${this.prefix}:stream`;
    this.queue = `${this.prefix}:queue`;
    this.workers = `${this.prefix}:workers`;
    this.cancelChannel = `${this.prefix}:cancel`;
    this.eventsPattern = `${this.prefix}:events:*`;
    this.sweepLease = `${this.prefix}:leases:redelivery-sweep`;
    this.sweepCursor = `${this.prefix}:redelivery-cursor`;
    this.strikes = `${this.prefix}:strikes`;
    this.strikesChannel = `${this.prefix}:strikes`;
    this.quarantine = `${this.prefix}:quarantine`;
  }

  /** The execution record of `key`: state, task, arguments, timestamps, progress, result. */
  runs(key: string): string {
    return `${this.prefix}:runs:${key}`;
  }

  /** The channel that carries every state and progress event of `key`. */
  events(key: string): string {
    return `${this.prefix}:events:${key}`;
  }

  /** The channel on which one producer process hears the outcomes of the runs it added. */
  inbox(token: string): string {
    return `${this.prefix}:inbox:${token}`;
  }

  /**
   * The places of a concurrency limit (`task` or `task:value`): the stream messages of the runs
   * holding one, scored by when their lease lapses.
   */
  slots(limit: string): string {
    return `${this.prefix}:slots:${limit}`;
  }

  /** The runs waiting for a place of a concurrency limit, oldest first. */
  waiting(limit: string): string {
    return `${this.prefix}:waiting:${limit}`;
  }

  /** The sliding window of a rate limit's group: the messages admitted lately, by time. */
  rate(group: string): string {
    return `${this.prefix}:rate:${group}`;
  }

  /** The marker of a cooldown group (`task` or `task:value`), alive for the cooldown window. */
  cooldown(group: string): string {
    return `${this.prefix}:cooldown:${group}`;
  }

  /** The record a worker keeps fresh while alive: its tasks and settings. */
  worker(name: string): string {
    return `${this.prefix}:worker:${name}`;
  }

  /** The execution key named by an event channel, or undefined when it is not one of ours. */
  keyOfEventsChannel(channel: string): string | undefined {
    const head = `${this.prefix}:events:`;
    return channel.startsWith(head) ? channel.slice(head.length) : undefined;
  }
}
