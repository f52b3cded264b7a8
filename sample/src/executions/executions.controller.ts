import {
  ConflictException,
  Controller,
  Get,
  NotFoundException,
  Param,
  ParseIntPipe,
  Query,
  RequestTimeoutException,
  Sse,
  type MessageEvent,
} from '@nestjs/common';
import { map, type Observable } from 'rxjs';
import { DocketService, ExecutionCancelledError, TimeoutError, type Execution } from 'nestjs-docket';
import { toExecutionView, type ExecutionView } from './execution.view';

/** Where clients follow an execution: now, live (SSE), or by waiting for its result. */
@Controller('executions')
export class ExecutionsController {
  constructor(private readonly docket: DocketService) {}

  @Get(':key')
  async show(@Param('key') key: string): Promise<ExecutionView> {
    return toExecutionView(await this.find(key));
  }

  /**
   * The execution's events as Server-Sent Events: its current state (and progress) first, then
   * every change, ending after the terminal state. Each event's id is its sequence number.
   */
  @Sse(':key/events')
  async events(@Param('key') key: string): Promise<Observable<MessageEvent>> {
    const execution = await this.find(key);
    return execution.subscribe().pipe(map((event) => ({ id: String(event.seq), data: event })));
  }

  /** The task's return value, waiting up to `timeout` ms (default 30 s) for it. */
  @Get(':key/result')
  async result(
    @Param('key') key: string,
    @Query('timeout', new ParseIntPipe({ optional: true })) timeout = 30_000,
  ): Promise<unknown> {
    const execution = await this.find(key);
    try {
      return await execution.getResult({ timeout });
    } catch (err) {
      // A task's own HttpException (a 404 for an unknown item …) passes through as it is.
      if (err instanceof TimeoutError) throw new RequestTimeoutException(`Execution "${key}" is still ${execution.state}`);
      if (err instanceof ExecutionCancelledError) throw new ConflictException(`Execution "${key}" was cancelled`);
      throw err;
    }
  }

  private async find(key: string): Promise<Execution> {
    const execution = await this.docket.getExecution(key);
    if (!execution) throw new NotFoundException(`No execution "${key}"`);
    return execution;
  }
}
