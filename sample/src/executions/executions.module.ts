import { Module } from '@nestjs/common';
import { ExecutionsController } from './executions.controller';
import { ExecutionsResolver } from './executions.resolver';

/** Reading and following executions over HTTP, SSE and GraphQL. */
@Module({ controllers: [ExecutionsController], providers: [ExecutionsResolver] })
export class ExecutionsModule {}
