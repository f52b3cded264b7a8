/**
 * The bench's own connection to its private redis-server: FLUSHALL between systems, INFO
 * readings (memory, commandstats, read events), and a MONITOR tap. It counts the commands it
 * sends itself, so that they can be taken out of server-wide statistics.
 */
import Redis from 'ioredis';
import { sleep } from './stats';

export type CommandStats = Record<string, number>;

/** What a MONITOR tap saw: commands sent by clients vs run inside Lua scripts, by name. */
export interface MonitorCounts {
  client: CommandStats;
  lua: CommandStats;
}

export class Admin {
  readonly redis: Redis;
  /** Commands this connection has sent, by lower-case name (pipelined ones included). */
  readonly sent: CommandStats = {};
  /** Writes to the socket: one per command, or one per pipeline (≈ read events it causes). */
  writes = 0;
  private addr = '';

  constructor(
    readonly host: string,
    readonly port: number,
  ) {
    this.redis = new Redis({ host, port, lazyConnect: true, connectionName: 'bench-admin', maxRetriesPerRequest: null });
    // Count every command this connection sends, including those of pipelines (ioredis routes
    // both through sendCommand; a pipeline passes its own buffering stream, written once).
    const send = this.redis.sendCommand.bind(this.redis);
    let lastStream: unknown;
    this.redis.sendCommand = (...args: Parameters<Redis['sendCommand']>) => {
      const [command, stream] = args;
      const name = command.name.toLowerCase();
      this.sent[name] = (this.sent[name] ?? 0) + 1;
      if (stream === undefined || stream !== lastStream) this.writes++;
      lastStream = stream;
      return send(...args);
    };
  }

  async connect(): Promise<void> {
    await this.redis.connect();
    const info = String(await this.redis.client('INFO'));
    this.addr = /addr=(\S+)/.exec(info)?.[1] ?? '';
  }

  /** A copy of the counters, to diff later with {@link diffStats}. */
  snapshotSent(): { sent: CommandStats; writes: number } {
    return { sent: { ...this.sent }, writes: this.writes };
  }

  async flushAll(): Promise<void> {
    await this.redis.flushall();
  }

  async info(section: string): Promise<Record<string, string>> {
    const text = String(await this.redis.info(section));
    const out: Record<string, string> = {};
    for (const line of text.split(/\r?\n/)) {
      const i = line.indexOf(':');
      if (i > 0 && !line.startsWith('#')) out[line.slice(0, i)] = line.slice(i + 1);
    }
    return out;
  }

  async serverVersion(): Promise<string> {
    return (await this.info('server')).redis_version ?? '?';
  }

  async usedMemory(): Promise<number> {
    return Number((await this.info('memory')).used_memory);
  }

  /** CPU seconds (user + system) redis-server has used so far. */
  async serverCpuSeconds(): Promise<number> {
    const cpu = await this.info('cpu');
    return Number(cpu.used_cpu_user) + Number(cpu.used_cpu_sys);
  }

  async connectedClients(): Promise<number> {
    return Number((await this.info('clients')).connected_clients);
  }

  /** Every client connection but this one, with its channel and pattern subscription counts (CLIENT LIST). */
  async clientList(): Promise<{ id: string; sub: number; psub: number }[]> {
    const list = (await this.redis.call('CLIENT', 'LIST')) as string;
    const self = String(await this.redis.call('CLIENT', 'ID'));
    return list
      .split('\n')
      .filter((line) => line.startsWith('id='))
      .map((line) => {
        const field = (name: string): string => new RegExp(`(?:^| )${name}=(\\S*)`).exec(line)?.[1] ?? '';
        return { id: field('id'), sub: Number(field('sub')), psub: Number(field('psub')) };
      })
      .filter((client) => client.id !== self);
  }

  async dbSize(): Promise<number> {
    return this.redis.dbsize();
  }

  /** Waits until only this connection (plus `extra`) is connected, up to `timeoutMs`. */
  async waitForClients(extra = 0, timeoutMs = 3_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    let clients = await this.connectedClients();
    while (clients > 1 + extra && Date.now() < deadline) {
      await sleep(20);
      clients = await this.connectedClients();
    }
    return clients;
  }

  async resetStats(): Promise<void> {
    await this.redis.config('RESETSTAT');
  }

  /**
   * Calls per command since the last RESETSTAT (commands run inside Lua included); subcommands
   * (`config|resetstat`, `client|id`) are folded into their command.
   */
  async commandStats(): Promise<CommandStats> {
    const raw = await this.info('commandstats');
    const out: CommandStats = {};
    for (const [k, v] of Object.entries(raw)) {
      const calls = /calls=(\d+)/.exec(v);
      if (!k.startsWith('cmdstat_') || !calls) continue;
      const name = k.slice('cmdstat_'.length).split('|')[0];
      out[name] = (out[name] ?? 0) + Number(calls[1]);
    }
    return out;
  }

  /** Read events the server has processed: one per batch of bytes read from a client socket. */
  async readsProcessed(): Promise<number> {
    return Number((await this.info('stats')).total_reads_processed);
  }

  /** Polls `check` every `everyMs` until it is true; the polls are counted as this connection's. */
  async waitFor(check: () => Promise<boolean>, everyMs = 2, timeoutMs = 600_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error('timed out waiting for a condition in Redis');
      await sleep(everyMs);
    }
  }

  /**
   * Taps MONITOR on a connection of its own; `stop()` waits for a marker to make sure every
   * earlier command was seen, and returns the counts (this admin connection's own excluded).
   */
  async monitor(): Promise<{ stop: () => Promise<MonitorCounts> }> {
    // monitor() opens a duplicate connection in monitor mode; the base one never connects.
    const base = new Redis({ host: this.host, port: this.port, lazyConnect: true });
    const tap = await base.monitor();
    const counts: MonitorCounts = { client: {}, lua: {} };
    const marker = `bench-monitor-end-${process.pid}-${Date.now()}`;
    let sawMarker: () => void = () => undefined;
    const markerSeen = new Promise<void>((resolve) => (sawMarker = resolve));
    tap.on('monitor', (_time: string, args: string[], source: string) => {
      if (source === this.addr) {
        if (args[1] === marker) sawMarker();
        return;
      }
      const name = String(args[0]).toLowerCase();
      const bucket = source === 'lua' ? counts.lua : counts.client;
      bucket[name] = (bucket[name] ?? 0) + 1;
    });
    return {
      stop: async () => {
        await this.redis.echo(marker);
        await markerSeen;
        tap.disconnect();
        base.disconnect();
        return counts;
      },
    };
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

/** `after − before` per command, dropping zeros. */
export function diffStats(after: CommandStats, before: CommandStats): CommandStats {
  const out: CommandStats = {};
  for (const [k, v] of Object.entries(after)) {
    const d = v - (before[k] ?? 0);
    if (d > 0) out[k] = d;
  }
  return out;
}

export function sumStats(stats: CommandStats): number {
  return Object.values(stats).reduce((a, b) => a + b, 0);
}
