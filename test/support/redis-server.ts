/**
 * Starts and stops private redis-server processes for tests: on a free loopback port, in a
 * temporary directory, optionally with append-only persistence or extra config lines.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RedisServerOptions {
  appendonly?: boolean;
  extraArgs?: string[];
  port?: number;
  dir?: string;
  /** Prepares files in the server's directory (certificates, say) and returns more arguments. */
  prepare?: (dir: string) => string[];
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export class RedisServer {
  private proc?: ChildProcess;

  private constructor(
    readonly port: number,
    readonly dir: string,
    private readonly options: RedisServerOptions,
  ) {}

  /** The server's process id, while it runs. */
  get pid(): number | undefined {
    return this.proc?.pid;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}/0`;
  }

  static async start(options: RedisServerOptions = {}): Promise<RedisServer> {
    const port = options.port ?? (await freePort());
    const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'docket-redis-'));
    const prepared = options.prepare?.(dir) ?? [];
    const server = new RedisServer(port, dir, { ...options, extraArgs: [...(options.extraArgs ?? []), ...prepared] });
    await server.launch();
    return server;
  }

  async launch(): Promise<void> {
    const args = [
      '--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, '--save', '',
      '--appendonly', this.options.appendonly ? 'yes' : 'no', '--appendfsync', 'always',
      ...(this.options.extraArgs ?? []),
    ];
    this.proc = spawn('redis-server', args, { stdio: 'ignore' });
    for (let i = 0; i < 200; i++) {
      // A PING over a bare socket: an ioredis client here kept jest's process from exiting.
      const ok = await new Promise<boolean>((resolve) => {
        const socket = connect(this.port, '127.0.0.1', () => socket.write('PING\r\n'));
        const done = (answer: boolean): void => {
          socket.destroy();
          resolve(answer);
        };
        socket.once('data', (reply) => done(reply.toString().startsWith('+PONG')));
        socket.once('error', () => done(false));
      });
      if (ok) return;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`redis-server on port ${this.port} did not start`);
  }

  /** Stops the server and waits for the process to exit. */
  async kill(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const proc = this.proc;
    // A process ended by a signal has a signalCode and no exitCode.
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      proc.once('exit', () => resolve());
      proc.kill(signal);
    });
  }

  /** Sends `signal` to the server (SIGSTOP pauses it, SIGCONT resumes it). */
  signal(signal: NodeJS.Signals): void {
    this.proc?.kill(signal);
  }

  async restart(): Promise<void> {
    await this.kill('SIGTERM');
    await this.launch();
  }

  async stop(): Promise<void> {
    await this.kill('SIGKILL');
    if (!this.options.dir) rmSync(this.dir, { recursive: true, force: true });
  }
}
