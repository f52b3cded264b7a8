import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { Module } from '@nestjs/common';
import { APP_PIPE } from '@nestjs/core';
import { GraphQLModule } from '@nestjs/graphql';
import { DocketDashboardModule, DocketModule } from 'nestjs-docket';
import { SampleConfigModule } from './config/sample-config.module';
import { SAMPLE_CONFIG, type SampleConfig } from './config/sample.config';
import { ExecutionsModule } from './executions/executions.module';
import { HealthModule } from './health/health.module';
import { OrdersModule } from './orders/orders.module';
import { validationPipe } from './http/validation';

/**
 * The orders app: takes orders over HTTP, processes them in the background with progress, and
 * lets clients follow each one as JSON, Server-Sent Events or a GraphQL subscription; `GET
 * /health` says whether the docket can take and run work; `/docket` is a live dashboard of it.
 */
@Module({
  imports: [
    DocketModule.forRootAsync({
      isGlobal: true,
      imports: [SampleConfigModule],
      inject: [SAMPLE_CONFIG],
      useFactory: (config: SampleConfig) => ({
        name: config.docketName,
        url: config.redisUrl,
        worker: config.worker ? { concurrency: 4, drainTimeout: 10_000 } : false,
      }),
    }),
    DocketDashboardModule.forRootAsync({
      path: '/docket',
      imports: [SampleConfigModule],
      inject: [SAMPLE_CONFIG],
      useFactory: (config: SampleConfig) => ({ readOnly: !config.dashboardActions }),
    }),
    GraphQLModule.forRoot<ApolloDriverConfig>({
      driver: ApolloDriver,
      autoSchemaFile: true,
      subscriptions: { 'graphql-ws': true },
    }),
    OrdersModule,
    ExecutionsModule,
    HealthModule,
  ],
  providers: [{ provide: APP_PIPE, useValue: validationPipe }],
})
export class AppModule {}
