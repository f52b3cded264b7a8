import type { Execution } from 'nestjs-docket';

/** An execution as `GET /executions/:key` and the GraphQL query show it. */
export interface ExecutionView {
  key: string;
  taskName: string;
  state: string;
  when: Date;
  attempt: number;
  worker?: string;
  startedAt?: Date;
  completedAt?: Date;
  error?: string;
  progress: { current: number; total: number; message: string | null; updatedAt?: Date };
}

/** The fields of `execution` worth showing a client. */
export function toExecutionView(execution: Execution): ExecutionView {
  const { key, taskName, state, when, attempt, worker, startedAt, completedAt, error, progress } = execution;
  return { key, taskName, state, when, attempt, worker, startedAt, completedAt, error, progress: { ...progress } };
}
