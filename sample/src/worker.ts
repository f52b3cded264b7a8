import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module';

/**
 * A worker-only process: the same module without an HTTP server. Run as many as needed next to
 * an API started with DOCKET_WORKER=false.
 */
async function bootstrap(): Promise<void> {
  const app = await NestFactory.createApplicationContext(AppModule);
  app.enableShutdownHooks();
}

void bootstrap();
