import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { maskPassword } from 'nestjs-docket';
import { AppModule } from './app.module';
import { SAMPLE_CONFIG, type SampleConfig } from './config/sample.config';

/** The HTTP app: `POST /orders`, `GET /executions/:key[/events|/result]`, GraphQL at /graphql. */
async function bootstrap(): Promise<void> {
  const app = await NestFactory.create(AppModule);
  // SIGTERM/SIGINT → app.close(): the worker stops claiming and drains before the process exits.
  app.enableShutdownHooks();
  const config = app.get<SampleConfig>(SAMPLE_CONFIG);
  await app.listen(config.port);
  const logger = new Logger('Sample');
  if (config.memoryBecause) {
    logger.warn(
      `${config.memoryBecause}: running on ${config.redisUrl}. Work and its events live in this process only; ` +
        'other processes (npm run start:worker, npx docket) cannot see them. Set REDIS_URL to use Redis.',
    );
  }
  logger.log(
    `Listening on http://localhost:${config.port} (GraphQL at /graphql); docket "${config.docketName}" on ${maskPassword(config.redisUrl)}` +
      (config.worker ? ', with a worker' : ', API only (DOCKET_WORKER=false)'),
  );
}

void bootstrap();
