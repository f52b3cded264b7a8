/**
 * README's "Try the sample", walked literally: the commands it names, in order, in bash, against
 * `npm start` as a real process (only the port and the docket name differ: a free port and a
 * docket of this test's own on the suite's Redis). A README step that stops working fails here.
 *
 * The commands run in a copy of the repository that shares its node_modules: `npm start` builds
 * there, so it never rewrites the dist/ that the CLI specs run from at the same time.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Docket } from 'nestjs-docket';
import { freePort } from '../support/redis-server';
import { dropDocket, redisUrl, uniqueName, waitUntil } from '../support/docket-test';

const ROOT = join(__dirname, '../..');
/** What the copy leaves out: installs, builds, history and reports. */
const NOT_COPIED = new Set(['node_modules', 'dist', '.git', 'coverage', '.bench']);

/** A copy of the repository's sources in a temporary folder, with ROOT's node_modules linked in. */
function copyOfRepository(): string {
  const copy = mkdtempSync(join(tmpdir(), 'docket-readme-'));
  cpSync(ROOT, copy, {
    recursive: true,
    filter: (source) => !relative(ROOT, source).split('/').some((part) => NOT_COPIED.has(part)),
  });
  symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'));
  return copy;
}

/** The bash blocks of README's section `heading`, in order. */
function bashBlocks(heading: string): string[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf(`\n## ${heading}\n`);
  expect(start).toBeGreaterThan(-1);
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end === -1 ? undefined : end);
  return [...section.matchAll(/^[ \t]*```bash\n([\s\S]*?)^[ \t]*```$/gm)].map((m) => m[1].replace(/^ {3}/gm, ''));
}

/** A process group started by `bash -c command`, with what it printed so far. */
class Running {
  private readonly child: ChildProcess;
  /** stdout and stderr, as a terminal shows them. */
  output = '';
  /** stdout alone (curl's progress meter goes to stderr). */
  stdout = '';
  readonly exited: Promise<number | null>;

  constructor(command: string, cwd: string, env: NodeJS.ProcessEnv) {
    this.child = spawn('bash', ['-c', command], { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout!.on('data', (chunk: Buffer) => (this.stdout += chunk.toString()));
    for (const stream of [this.child.stdout!, this.child.stderr!]) stream.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
  }

  /** Resolves once `pattern` was printed; rejects if the process ends first. */
  async printed(pattern: RegExp): Promise<void> {
    let exited = false;
    void this.exited.then(() => (exited = true));
    await waitUntil(
      () => {
        if (pattern.test(this.output)) return true;
        if (exited) throw new Error(`exited before printing ${pattern}:\n${this.output}`);
        return false;
      },
      `the process printed ${pattern}`,
      120_000,
    );
  }

  /** SIGTERM to the whole group (npm and the node it started); resolves once it is gone. */
  async stop(): Promise<void> {
    try {
      process.kill(-this.child.pid!, 'SIGTERM');
    } catch {
      return;
    }
    await this.exited;
  }
}

describe("README's Try the sample, step by step", () => {
  const name = uniqueName('readme');
  let port: number;
  let env: NodeJS.ProcessEnv;
  let repo: string;
  const running: Running[] = [];
  const start = (command: string): Running => {
    const process = new Running(command, repo, env);
    running.push(process);
    return process;
  };
  /** Runs `script` in bash, stopping at the first failing command; what it printed. */
  const run = async (script: string): Promise<string> => {
    const shell = new Running(`set -euo pipefail\n${script.replaceAll('localhost:3000', `localhost:${port}`)}`, repo, env);
    const code = await shell.exited;
    if (code !== 0) throw new Error(`the README's commands failed (exit ${code}):\n${shell.output}`);
    return shell.stdout;
  };

  beforeAll(async () => {
    port = await freePort();
    repo = copyOfRepository();
    env = { ...process.env, REDIS_URL: redisUrl(), DOCKET_NAME: name, PORT: String(port), FORCE_COLOR: '0' };
    delete env.DOCKET_URL;
    // As from a terminal: not inside the npm script that runs this suite.
    for (const name of Object.keys(env)) if (name.startsWith('npm_')) delete env[name];
  });

  afterAll(async () => {
    await Promise.all(running.map((p) => p.stop()));
    rmSync(repo, { recursive: true, force: true });
    const docket = new Docket({ name, url: redisUrl() });
    await dropDocket(docket);
    await docket.close();
  });

  it('adds an order, follows it over SSE, JSON, GraphQL and docket watch, then splits API and worker', async () => {
    const blocks = bashBlocks('Try the sample');
    expect(blocks).toHaveLength(6);
    // "The two commands": npm ci has run (this suite runs from it), so npm start.
    const app = start('npm start');
    await app.printed(/Listening on http:\/\/localhost:\d+/);

    const [add, read, query, subscribe, watch, split] = blocks;
    // Steps 1 to 5 in one shell, as in one terminal: step 1 sets KEY, the next ones use it.
    const printed = await run([add, read, query, subscribe, watch].join('\n'));
    const lines = printed.split('\n');
    // 1: the SSE stream, snapshot first, to the terminal state.
    expect(printed).toMatch(/^event: snapshot\nid: \d+\ndata: \{"type":"state"/m);
    expect(printed).toMatch(/^event: progress\n/m);
    expect(printed).toMatch(/^event: state\nid: \d+\ndata: \{.*"state":"completed"/m);
    // 2: the execution as JSON, and its result.
    expect(printed).toMatch(/\{"key":"[^"]+","taskName":"processOrder","state":"completed"/);
    expect(printed).toMatch(/\{"customerId":"ada","packed":2,"items":\["apple","bread"\],"completedAt":"[^"]+"\}/);
    // 3: the GraphQL query.
    expect(printed).toMatch(/\{"data":\{"execution":\{"key":"[^"]+","taskName":"processOrder","state":"completed"/);
    // 4: the GraphQL subscription: the snapshot of a finished execution, its terminal state.
    expect(lines.some((l) => /^\{"execution":\{"__typename":"ExecutionStateEvent".*"state":"completed"/.test(l))).toBe(true);
    // 5: docket watch, of the finished order (printed once) and of the slower one it adds
    // (into a pipe, a line per event heard live, then its end). How many of its five items were
    // packed before the watch began depends on how long npx took to start, so the test asks
    // only that the bar was heard moving and reached the last item.
    expect(printed).toMatch(/^State: COMPLETED/m);
    const bars = lines.filter((l) => / PROGRESS \[.*\] \d\/5 /.test(l));
    expect(bars.length).toBeGreaterThanOrEqual(1);
    expect(bars.at(-1)).toMatch(/ 5\/5 /);
    expect(printed).toMatch(/ COMPLETED ✓ completed in /);
    const first = `${add.split('\n').filter((l) => !l.startsWith('curl -N')).join('\n')}\n`;

    await app.stop();
    const [api, worker] = split
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => line.replace(/\s+#.*$/, ''));
    const apiOnly = start(api);
    await apiOnly.printed(/Listening on .*API only/);
    const workers = start(worker);
    await workers.printed(/started on docket/);
    const result = await run(`${first}${read.split('\n').at(-2)}\n`);
    expect(result).toMatch(/"packed":2/);
  }, 240_000);
});
