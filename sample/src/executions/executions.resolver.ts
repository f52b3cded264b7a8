import { Args, Query, Resolver, Subscription } from '@nestjs/graphql';
import { GraphQLError } from 'graphql';
import { DocketService, type ExecutionEvent } from 'nestjs-docket';
import { toExecutionView, type ExecutionView } from './execution.view';
import { ExecutionEventUnion, ExecutionModel } from './execution.models';
import { toAsyncIterator } from './observable-iterator';

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
    if (!execution) throw new GraphQLError(`No execution "${key}"`, { extensions: { code: 'NOT_FOUND' } });
    return toAsyncIterator(execution.subscribe());
  }
}
