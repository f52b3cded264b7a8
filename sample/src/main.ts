import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module';
import { SAMPLE_CONFIG, type SampleConfig } from './config/sample.config';

/** The HTTP app: `POST /orders`, `GET /executions/:key[/events|/result]`, GraphQL at /graphql. */
async function bootstrap(): Promise<void> {
  const app = await NestFactory.create(AppModule);
  // SIGTERM/SIGINT → app.close(): the worker stops claiming and drains before the process exits.
  app.enableShutdownHooks();
  await app.listen(app.get<SampleConfig>(SAMPLE_CONFIG).port);
}

void bootstrap();
