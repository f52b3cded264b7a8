/**
 * A TCP proxy in front of a Redis server that can lose a reply on purpose: `cutOnce` names a
 * connection (by the client name it sets) and a reply; the first chunk from Redis to that
 * connection that matches is never delivered, and both sides of the connection are closed, as
 * when a network drops between Redis writing a reply and the client reading it. Redis has run the
 * command by then; the client only lost the answer.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import Redis from 'ioredis';
import { RedisServer } from './redis-server';

interface Cut {
  client: RegExp;
  reply: (chunk: string) => boolean;
  done: () => void;
  /** Held instead of lost: delivered once this resolves. */
  hold?: Promise<void>;
}

export class TcpProxy {
  private readonly sockets = new Set<Socket>();
  private cuts: Cut[] = [];
  private watches: Cut[] = [];

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  /** Listens on a free loopback port and forwards to 127.0.0.1:`targetPort`. */
  static async start(targetPort: number): Promise<TcpProxy> {
    let proxy!: TcpProxy;
    const server = createServer((client) => proxy.accept(client, targetPort));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    proxy = new TcpProxy(server, (server.address() as { port: number }).port);
    return proxy;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}/0`;
  }

  /**
   * Loses the first reply matching `reply` on a connection whose client name matches `client`;
   * resolves once it did.
   */
  cutOnce(client: RegExp, reply: (chunk: string) => boolean): Promise<void> {
    return new Promise((resolve) => this.cuts.push({ client, reply, done: resolve }));
  }

  /**
   * Holds back the first reply matching `reply` on a connection whose client name matches
   * `client` (Redis has answered; the client has not heard yet) until `release()`; `held`
   * resolves once a reply is held. What follows it on that connection waits behind it.
   */
  holdOnce(client: RegExp, reply: (chunk: string) => boolean): { held: Promise<void>; release: () => void } {
    let release!: () => void;
    const hold = new Promise<void>((resolve) => (release = resolve));
    let done!: () => void;
    const held = new Promise<void>((resolve) => (done = resolve));
    this.cuts.push({ client, reply, done, hold });
    return { held, release };
  }

  /** Resolves once a chunk matching `reply` was delivered to a connection whose client name matches `client`. */
  delivered(client: RegExp, reply: (chunk: string) => boolean): Promise<void> {
    return new Promise((resolve) => this.watches.push({ client, reply, done: resolve }));
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket, targetPort: number): void {
    const upstream = connect(targetPort, '127.0.0.1');
    this.sockets.add(client).add(upstream);
    let sent = '';
    // Replies held back, and what came after them on this connection: delivered in order.
    let queue: Promise<void> = Promise.resolve();
    let holding = false;
    const deliver = (chunk: Buffer): void => {
      const text = chunk.toString('latin1');
      client.write(chunk);
      const watched = this.watches.filter((w) => w.client.test(sent) && w.reply(text));
      this.watches = this.watches.filter((w) => !watched.includes(w));
      for (const w of watched) w.done();
    };
    client.on('data', (chunk) => {
      // What the client said so far, up to its CLIENT SETNAME: enough to tell which it is.
      if (sent.length < 4096) sent += chunk.toString('latin1');
      upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      const text = chunk.toString('latin1');
      if (holding) {
        queue = queue.then(() => deliver(chunk));
        return;
      }
      const cut = this.cuts.find((c) => c.client.test(sent) && c.reply(text));
      if (!cut) {
        deliver(chunk);
        return;
      }
      this.cuts = this.cuts.filter((c) => c !== cut);
      if (cut.hold) {
        holding = true;
        const hold = cut.hold;
        cut.done();
        queue = queue.then(() => hold).then(() => {
          holding = false;
          deliver(chunk);
        });
        return;
      }
      client.destroy();
      upstream.destroy();
      cut.done();
    });
    const close = (): void => {
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
    };
    client.on('close', close).on('error', close);
    upstream.on('close', close).on('error', close);
  }
}

/** A private redis-server behind a proxy, and a direct admin connection to it. */
export interface ProxiedRedis {
  server: RedisServer;
  proxy: TcpProxy;
  admin: Redis;
}

/**
 * Gives the describe block a private redis-server behind a {@link TcpProxy} (dockets connect
 * through `proxy.url`) for all its tests, stopped after them; read the parts inside tests.
 */
export function proxiedRedis(): ProxiedRedis {
  const parts = {} as ProxiedRedis;
  beforeAll(async () => {
    parts.server = await RedisServer.start();
    parts.proxy = await TcpProxy.start(parts.server.port);
    parts.admin = new Redis(parts.server.port);
  });
  afterAll(async () => {
    parts.admin.disconnect();
    await parts.proxy.stop();
    await parts.server.stop();
  });
  return parts;
}
