import { Controller, Get, Headers, HttpException, HttpStatus, Param, Query, Sse, type MessageEvent } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import type { Observable } from 'rxjs';
import { DocketService, ExecutionCancelledError, TimeoutError, toSseEvents, type Execution } from 'nestjs-docket';
import { ApiError } from '../http/api-error';
import { toExecutionView, type ExecutionView } from './execution.view';

/** The query of `GET /executions/:key/result`. */
export class ResultQuery {
  /** How long (ms) to wait for the result: 1 ms to 10 minutes. @default 30000 */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(600_000)
  timeout?: number;
}

/** Where clients follow an execution: now, live (SSE), or by waiting for its result. */
@Controller('executions')
export class ExecutionsController {
  constructor(private readonly docket: DocketService) {}

  @Get(':key')
  async show(@Param('key') key: string): Promise<ExecutionView> {
    return toExecutionView(await this.find(key));
  }

  /**
   * The execution's events as Server-Sent Events: `snapshot` (its state now) first, then each
   * `state` and `progress` event, ending after the terminal state. Each event's id is its
   * sequence number: a client that reconnects with Last-Event-ID gets only what it missed.
   */
  @Sse(':key/events')
  async events(@Param('key') key: string, @Headers('last-event-id') lastEventId?: string): Promise<Observable<MessageEvent>> {
    const execution = await this.find(key);
    return toSseEvents(execution.subscribe(), { lastEventId });
  }

  /** The task's return value, waiting up to `timeout` ms (default 30 s) for it. */
  @Get(':key/result')
  async result(@Param('key') key: string, @Query() query: ResultQuery): Promise<unknown> {
    const execution = await this.find(key);
    try {
      return await execution.getResult({ timeout: query.timeout ?? 30_000 });
    } catch (err) {
      if (err instanceof TimeoutError) throw new ApiError(HttpStatus.REQUEST_TIMEOUT, 'RESULT_TIMEOUT', `Execution "${key}" is still ${execution.state}`);
      if (err instanceof ExecutionCancelledError) throw new ApiError(HttpStatus.CONFLICT, 'EXECUTION_CANCELLED', `Execution "${key}" was cancelled`);
      // The task's own HttpException (a 404 for an item not in the catalog …) keeps its status;
      // its code says the task failed, not that there is no such execution.
      if (err instanceof HttpException) throw new ApiError(err.getStatus(), 'TASK_FAILED', err.message);
      throw new ApiError(HttpStatus.INTERNAL_SERVER_ERROR, 'TASK_FAILED', err instanceof Error ? `${err.name}: ${err.message}` : String(err));
    }
  }

  private async find(key: string): Promise<Execution> {
    const execution = await this.docket.getExecution(key);
    if (!execution) throw new ApiError(HttpStatus.NOT_FOUND, 'EXECUTION_NOT_FOUND', `No execution "${key}"`);
    return execution;
  }
}
