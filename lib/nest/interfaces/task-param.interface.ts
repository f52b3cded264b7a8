/**
 * What an injected parameter receives, one kind per decorator.
 *
 * @example
 * const kind: InjectedParamKind = 'progress'; // @Progress()
 */
export type InjectedParamKind = 'progress' | 'logger' | 'docket' | 'execution' | 'key' | 'cancellation' | 'perpetual';

/**
 * A parameter the worker fills in, never the caller (`@Progress()` …).
 *
 * @example
 * const param: InjectedParam = { index: 2, kind: 'cancellation' };
 */
export interface InjectedParam {
  readonly index: number;
  readonly kind: InjectedParamKind;
}

/**
 * A parameter whose value `@Logged()` lets into log lines.
 *
 * @example
 * const param: LoggedParam = { index: 0, lengthOnly: true };
 */
export interface LoggedParam {
  readonly index: number;
  readonly lengthOnly: boolean;
}
