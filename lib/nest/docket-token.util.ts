import { DEFAULT_DOCKET_NAME } from './docket.constants';

/**
 * The injection token of the {@link DocketService} registered under `name`, for custom
 * providers and `moduleRef.get()`.
 *
 * @example
 * const emails = app.get<DocketService>(getDocketToken('emails'));
 */
export function getDocketToken(name: string = DEFAULT_DOCKET_NAME): string {
  return `DocketService:${name}`;
}
