export { DocketDashboardModule } from './dashboard.module';
export type { DocketDashboardOptions, DocketDashboardAsyncOptions } from './dashboard.options';
