import { Module } from '@nestjs/common';
import { ConfigurableModuleClass } from './docket.module-definition';

/**
 * Connects the app to a docket: registers its `@Task()` methods at init, provides
 * {@link DocketService}, and (unless `worker: false`) runs a worker from bootstrap until
 * `app.close()`, which drains it. Import it once per docket.
 *
 * @example
 * @Module({
 *   imports: [
 *     DocketModule.forRoot({ url: 'redis://localhost:6379/0', worker: { concurrency: 4 } }),
 *     DocketModule.forRootAsync({
 *       name: 'emails',
 *       imports: [ConfigModule],
 *       inject: [ConfigService],
 *       useFactory: (config: ConfigService) => ({ url: config.get('REDIS_URL'), worker: false }),
 *     }),
 *   ],
 *   providers: [OrderTasks],
 * })
 * export class AppModule {}
 */
@Module({})
export class DocketModule extends ConfigurableModuleClass {}
