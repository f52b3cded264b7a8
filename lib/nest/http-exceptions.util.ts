import * as common from '@nestjs/common';
import { HttpException } from '@nestjs/common';
import type { ErrorClass } from '../core/codec/error-codec';

/**
 * Nest's HttpException and every subclass @nestjs/common exports (NotFoundException …), found
 * rather than listed so that classes added by later Nest versions are known too. Registered with
 * every docket, they make a task's `throw new NotFoundException()` reach `getResult()` as itself,
 * and so reach the HTTP client of a controller that awaits it with its status and body.
 *
 * @example
 * new Docket({ errors: [...nestHttpExceptions(), ...options.errors] });
 */
export function nestHttpExceptions(): ErrorClass[] {
  return (Object.values(common) as unknown[]).filter(
    (value): value is ErrorClass =>
      typeof value === 'function' && (value === HttpException || (value as ErrorClass).prototype instanceof HttpException),
  );
}
