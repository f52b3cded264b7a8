import { createUnionType, Field, Float, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { ExecutionState, type ExecutionEvent } from 'nestjs-docket';

registerEnumType(ExecutionState, { name: 'ExecutionState' });

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
  @Field(() => ExecutionState) state!: ExecutionState;
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
  @Field(() => ExecutionState) state!: ExecutionState;
  @Field({ nullable: true }) when?: Date;
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
