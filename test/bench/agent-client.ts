/** Forks and drives the worker agent (agent.ts) over IPC. */
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { SystemId, Target, WorkerSpec } from './adapter';
import type { AgentCommand, AgentReply, AgentRequest, WatchReport, WorkerReport } from './agent-protocol';

export class AgentClient {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (r: AgentReply) => void; reject: (e: Error) => void }>();

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (reply: AgentReply) => {
      const waiter = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if (!waiter) return;
      if (reply.ok) waiter.resolve(reply);
      else waiter.reject(new Error(`worker agent: ${reply.error}`));
    });
    child.on('exit', (code, signal) => {
      for (const waiter of this.pending.values()) waiter.reject(new Error(`worker agent exited (${code ?? signal})`));
      this.pending.clear();
    });
  }

  /** The agent process's id (for the machine-load record). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Forks the agent; `nodeFlags` go to its node (e.g. --cpu-prof). */
  static start(nodeFlags: string[] = []): AgentClient {
    const child = fork(join(__dirname, 'agent.ts'), [], {
      execArgv: [...nodeFlags, '--expose-gc', '-r', 'ts-node/register/transpile-only'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    return new AgentClient(child);
  }

  private request(command: AgentCommand): Promise<AgentReply> {
    const id = this.nextId++;
    return new Promise<AgentReply>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.send({ ...command, id } as AgentRequest);
    });
  }

  /** Constructs (and connects) a worker; with `run` it starts processing at once. */
  async startWorker(system: SystemId, target: Target, spec: WorkerSpec, run: boolean): Promise<void> {
    await this.request({ op: 'start', system, target, spec, run });
  }

  async run(): Promise<void> {
    await this.request({ op: 'run' });
  }

  /** What the worker saw so far; with `gc`, its heap is read after a full collection. */
  async report(gc = false): Promise<WorkerReport> {
    return (await this.request({ op: 'report', gc })).report!;
  }

  /** Stops the worker and closes its connections; returns what it saw. */
  async stopWorker(): Promise<WorkerReport> {
    return (await this.request({ op: 'stop' })).report!;
  }

  /** Connects `system`'s watcher and watches every id; resolves once each watch is live. */
  async watch(system: SystemId, target: Target, ids: string[], pattern = false): Promise<WatchReport> {
    return (await this.request({ op: 'watch', system, target, ids, pattern })).watch!;
  }

  /** Stops watching and closes the watcher's connections; returns what it heard. */
  async unwatch(): Promise<WatchReport> {
    return (await this.request({ op: 'unwatch' })).watch!;
  }

  /** Kills the agent (after a measurement hung). */
  async kill(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGKILL');
    await exited;
  }

  async exit(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    await this.request({ op: 'exit' }).catch(() => undefined);
    await exited;
  }
}
