import { createUnionType, Field, Float, Int, ObjectType } from '@nestjs/graphql';
import type { ExecutionEvent } from 'nestjs-docket';

/** States are written as REST and SSE write them: lower case (`queued`, `running`, `completed` …). */
const STATE = { description: 'scheduled, queued, running, completed, failed or cancelled (as in REST and SSE)' };

@ObjectType('Progress')
export class ProgressModel {
  @Field(() => Float) current!: number;
  @Field(() => Float) total!: number;
  @Field(() => String, { nullable: true }) message!: string | null;
  @Field({ nullable: true }) updatedAt?: Date;
}

@ObjectType('Execution')
export class ExecutionModel {
  @Field() key!: string;
  @Field() taskName!: string;
  @Field(() => String, STATE) state!: string;
  @Field() when!: Date;
  @Field(() => Int) attempt!: number;
  @Field({ nullable: true }) worker?: string;
  @Field({ nullable: true }) startedAt?: Date;
  @Field({ nullable: true }) completedAt?: Date;
  @Field({ nullable: true }) error?: string;
  @Field(() => ProgressModel) progress!: ProgressModel;
}

@ObjectType('ExecutionStateEvent')
export class ExecutionStateEventModel {
  @Field() key!: string;
  @Field(() => Int) seq!: number;
  @Field(() => String, STATE) state!: string;
  @Field({ nullable: true, description: 'When it is due: on the events that schedule or queue it (a terminal event has none)' }) when?: Date;
  @Field({ nullable: true }) worker?: string;
  @Field({ nullable: true }) startedAt?: Date;
  @Field({ nullable: true }) completedAt?: Date;
  @Field({ nullable: true }) error?: string;
}

@ObjectType('ExecutionProgressEvent')
export class ExecutionProgressEventModel {
  @Field() key!: string;
  @Field(() => Int) seq!: number;
  @Field(() => Float) current!: number;
  @Field(() => Float) total!: number;
  @Field(() => String, { nullable: true }) message!: string | null;
  @Field() updatedAt!: Date;
}

/** A state change or a progress report, told apart by `__typename` (the event's `type`). */
export const ExecutionEventUnion = createUnionType({
  name: 'ExecutionEvent',
  types: () => [ExecutionStateEventModel, ExecutionProgressEventModel] as const,
  resolveType: (event: ExecutionEvent) => (event.type === 'state' ? ExecutionStateEventModel : ExecutionProgressEventModel),
});
