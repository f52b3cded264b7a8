import { HttpStatus, ValidationPipe, type ValidationError } from '@nestjs/common';
import { ApiError } from './api-error';

/** Every message of `errors`, nested ones included, as `property: what is wrong`. */
function messages(errors: ValidationError[], path = ''): string[] {
  return errors.flatMap((e) => {
    const at = path ? `${path}.${e.property}` : e.property;
    return [...Object.values(e.constraints ?? {}).map((m) => `${at}: ${m}`), ...messages(e.children ?? [], at)];
  });
}

/**
 * The app's validation: DTOs checked with class-validator, unknown fields refused, query strings
 * turned into numbers where the DTO says so; a failure answers 400 with code VALIDATION_FAILED.
 */
export const validationPipe = new ValidationPipe({
  whitelist: true,
  forbidNonWhitelisted: true,
  transform: true,
  exceptionFactory: (errors) => {
    const details = messages(errors);
    return new ApiError(HttpStatus.BAD_REQUEST, 'VALIDATION_FAILED', details[0] ?? 'The request is not valid', details);
  },
});
