/**
 * `@opentelemetry/api`, when the app has it installed. It is an optional peer dependency: without
 * it every span and instrument of docket is skipped by one check, and with it but no SDK
 * registered, the API's own no-op implementations answer.
 */
import type * as OTelApi from '@opentelemetry/api';

/** The OpenTelemetry API module. */
export type OTel = typeof OTelApi;

let loaded: OTel | null | undefined;

/** The API module, or null when it is not installed (looked up once). */
export function otelApi(): OTel | null {
  if (loaded === undefined) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      loaded = require('@opentelemetry/api') as OTel;
    } catch {
      loaded = null;
    }
  }
  return loaded;
}
