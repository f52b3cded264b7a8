import { Args, Query, Resolver, Subscription } from '@nestjs/graphql';
import { IntrinsicException } from '@nestjs/common';
import { DocketService, toAsyncIterator, type ExecutionEvent } from 'nestjs-docket';
import { toExecutionView, type ExecutionView } from './execution.view';
import { ExecutionEventUnion, ExecutionModel } from './execution.models';

/**
 * No such execution, as a GraphQL error with `extensions.code` EXECUTION_NOT_FOUND. An
 * IntrinsicException: Nest does not log it as a server error (it is the client's mistake).
 */
class ExecutionNotFound extends IntrinsicException {
  readonly extensions = { code: 'EXECUTION_NOT_FOUND' };
  constructor(key: string) {
    super(`No execution "${key}"`);
  }
}

/** Executions over GraphQL: read one, or follow its events over graphql-ws. */
@Resolver(() => ExecutionModel)
export class ExecutionsResolver {
  constructor(private readonly docket: DocketService) {}

  @Query(() => ExecutionModel, { nullable: true, name: 'execution' })
  async findExecution(@Args('key') key: string): Promise<ExecutionView | null> {
    const execution = await this.docket.getExecution(key);
    return execution && toExecutionView(execution);
  }

  /** The same events as the SSE endpoint: snapshot first, then live, ending after the terminal state. */
  @Subscription(() => ExecutionEventUnion, { name: 'execution', resolve: (event: ExecutionEvent) => event })
  async watchExecution(@Args('key') key: string): Promise<AsyncIterableIterator<ExecutionEvent>> {
    const execution = await this.docket.getExecution(key);
    if (!execution) throw new ExecutionNotFound(key);
    return toAsyncIterator(execution.subscribe());
  }
}
