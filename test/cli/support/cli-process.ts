/**
 * Runs the BUILT `docket` CLI (dist/cli/main.js) as a real child process: piped, or under a
 * pseudo-terminal made by `script` (util-linux). Output is waited on by content, never by time.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/** The built CLI; `npm test` builds it first. */
export const CLI_PATH = resolve(__dirname, '../../../dist/cli/main.js');

/** How a CLI process ended. */
export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Options of {@link CliProcess.start}. */
export interface CliStartOptions {
  /** Extra environment (undefined removes a variable). */
  readonly env?: Record<string, string | undefined>;
  /** Run under a pseudo-terminal (stdout and stderr then arrive together on stdout). */
  readonly tty?: boolean;
}

const running = new Set<CliProcess>();

const quote = (arg: string): string => `'${arg.replace(/'/g, `'\\''`)}'`;

/** A running CLI process whose output can be awaited. */
export class CliProcess {
  stdout = '';
  stderr = '';
  /** Settles when the process has exited and its output is complete. */
  readonly exited: Promise<CliResult>;
  private readonly waiters = new Set<() => void>();

  private constructor(private readonly child: ChildProcess) {
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => this.received(() => (this.stdout += chunk)));
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => this.received(() => (this.stderr += chunk)));
    this.exited = new Promise((resolvePromise) => {
      child.on('close', (code, signal) => {
        running.delete(this);
        this.received(() => undefined);
        resolvePromise({ code, signal, stdout: this.stdout, stderr: this.stderr });
      });
    });
  }

  /** Starts `docket …args`. */
  static start(args: readonly string[], options: CliStartOptions = {}): CliProcess {
    if (!existsSync(CLI_PATH)) throw new Error(`${CLI_PATH} is missing: run \`npm run build\` first (npm test does).`);
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const [name, value] of Object.entries(options.env ?? {})) {
      if (value === undefined) delete env[name];
      else env[name] = value;
    }
    const command = [process.execPath, CLI_PATH, ...args];
    const child = options.tty
      ? spawn('script', ['-qec', command.map(quote).join(' '), '/dev/null'], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
      : spawn(command[0], command.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const cli = new CliProcess(child);
    running.add(cli);
    return cli;
  }

  /** The process id (of `script` under a pty). */
  get pid(): number {
    return this.child.pid!;
  }

  /** Resolves once stdout (or `stream`) matches `pattern`; fails with the output so far. */
  waitFor(pattern: RegExp | string, stream: 'stdout' | 'stderr' = 'stdout', timeoutMs = 15_000): Promise<void> {
    const matches = (): boolean => (typeof pattern === 'string' ? this[stream].includes(pattern) : pattern.test(this[stream]));
    if (matches()) return Promise.resolve();
    return new Promise((resolvePromise, reject) => {
      const check = (): void => {
        if (matches()) return done(resolvePromise);
        if (this.child.exitCode !== null || this.child.signalCode !== null) {
          done(() => reject(new Error(`The CLI exited before printing ${pattern}.\n${this.describe()}`)));
        }
      };
      const timer = setTimeout(() => done(() => reject(new Error(`Timed out waiting for ${pattern}.\n${this.describe()}`))), timeoutMs);
      const done = (settle: () => void): void => {
        clearTimeout(timer);
        this.waiters.delete(check);
        settle();
      };
      this.waiters.add(check);
    });
  }

  /** Sends a signal to the process. */
  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** The output so far, for failure messages. */
  describe(): string {
    return `--- stdout ---\n${this.stdout}\n--- stderr ---\n${this.stderr}`;
  }

  private received(append: () => void): void {
    append();
    for (const check of [...this.waiters]) check();
  }

  /** Kills every CLI process still running (for afterEach), with its process group. */
  static async killAll(): Promise<void> {
    const all = [...running];
    for (const cli of all) {
      try {
        process.kill(-cli.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    await Promise.all(all.map((cli) => cli.exited));
  }
}

/**
 * Runs `docket …args` to the end.
 *
 * @example
 * const { code, stdout } = await runCli(['snapshot'], { env: { DOCKET_NAME: name } });
 */
export function runCli(args: readonly string[], options: CliStartOptions = {}): Promise<CliResult> {
  return CliProcess.start(args, options).exited;
}
