import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module';
import { SAMPLE_CONFIG, type SampleConfig } from './config/sample.config';

/**
 * A worker-only process: the same module without an HTTP server. Run as many as needed next to
 * an API started with DOCKET_WORKER=false.
 */
async function bootstrap(): Promise<void> {
  const app = await NestFactory.createApplicationContext(AppModule);
  app.enableShutdownHooks();
  const config = app.get<SampleConfig>(SAMPLE_CONFIG);
  if (config.memoryBecause) {
    new Logger('Sample').warn(`${config.memoryBecause}: this worker runs on ${config.redisUrl} and sees only work added in its own process. Set REDIS_URL to share work with the API.`);
  }
}

void bootstrap();
