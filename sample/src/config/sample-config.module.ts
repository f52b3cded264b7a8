import { Module } from '@nestjs/common';
import { SAMPLE_CONFIG, sampleConfigWithFallback } from './sample.config';

/** Provides the {@link SampleConfig} to the modules that import it. */
@Module({
  providers: [{ provide: SAMPLE_CONFIG, useFactory: () => sampleConfigWithFallback() }],
  exports: [SAMPLE_CONFIG],
})
export class SampleConfigModule {}
