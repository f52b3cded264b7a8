/**
 * 2. Drain a preloaded queue of no-op tasks with one worker (in the agent process) at
 * concurrency 1, 10 and 50, with default result storage. Timed from the first task's start to
 * the moment Redis shows every completion recorded.
 */
import type { SystemAdapter } from '../adapter';
import { FASTER, perSecond, type Cell, type Env, type Scenario, type Sizes } from '../scenario';
import { drain } from '../workload';

function cell(sizes: Sizes, concurrency: number): Cell {
  const id = `drain-c${concurrency}`;
  return {
    id,
    title: `Drain ${sizes.drain.toLocaleString('en-US')}, concurrency ${concurrency}`,
    metrics: [
      {
        id,
        label: `Drain ${sizes.drain.toLocaleString('en-US')} preloaded, 1 worker × concurrency ${concurrency} (tasks/s)`,
        unit: 'tasks/s',
        better: 'higher',
        digits: 0,
        target: concurrency >= 10 ? FASTER : undefined,
      },
      ...(concurrency === 50
        ? [
            { id: `${id}-worker-cpu`, label: `… worker process CPU per task, concurrency ${concurrency} (µs)`, unit: 'µs', better: 'lower' as const, digits: 1 },
            { id: `${id}-redis-cpu`, label: `… redis-server CPU per task, concurrency ${concurrency} (µs)`, unit: 'µs', better: 'lower' as const, digits: 1 },
            {
              id: `${id}-logged`,
              label: `… docket with its default logger (2 lines per task, to /dev/null), concurrency ${concurrency} (tasks/s)`,
              unit: 'tasks/s',
              better: 'higher' as const,
              digits: 0,
            },
          ]
        : []),
    ],
    async measure(env, system) {
      const result = await drain(env, system, { count: sizes.drain, concurrency, fireAndForget: false });
      // The headline row runs docket silent, as the peers log nothing per task; this row shows its default.
      const logged = concurrency === 50 && system.id === 'docket' ? await drainAgain(env, system, sizes.drain) : NaN;
      return {
        values: {
          [id]: perSecond(sizes.drain, result.ms),
          [`${id}-logged`]: logged,
          [`${id}-worker-cpu`]: result.workerCpuUs,
          [`${id}-redis-cpu`]: result.redisCpuUs,
        },
        details: {
          count: sizes.drain,
          ms: result.ms,
          startupMs: result.startupMs,
          tasksRun: result.report.tasks,
          workerCpuUsPerTask: result.workerCpuUs,
          redisCpuUsPerTask: result.redisCpuUs,
        },
      };
    },
  };
}

/** docket's drain again, with its default logger, after a FLUSHALL. */
async function drainAgain(env: Env, system: SystemAdapter, count: number): Promise<number> {
  await env.admin.flushAll();
  const result = await drain(env, system, { count, concurrency: 50, fireAndForget: false, logging: 'default' });
  return perSecond(count, result.ms);
}

export const drainScenario: Scenario = {
  id: 'drain',
  title: 'Drain',
  cells: (s) => [cell(s, 1), cell(s, 10), cell(s, 50)],
};
