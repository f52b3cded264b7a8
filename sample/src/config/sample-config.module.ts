import { Module } from '@nestjs/common';
import { SAMPLE_CONFIG, sampleConfigFromEnv } from './sample.config';

/** Provides the {@link SampleConfig} to the modules that import it. */
@Module({
  providers: [{ provide: SAMPLE_CONFIG, useFactory: () => sampleConfigFromEnv() }],
  exports: [SAMPLE_CONFIG],
})
export class SampleConfigModule {}
