import { HttpException, HttpStatus } from '@nestjs/common';

/**
 * What an error body's `code` says, so that a client can tell "no such execution" from "the task
 * itself answered 404".
 */
export type ApiErrorCode =
  | 'EXECUTION_NOT_FOUND'
  | 'VALIDATION_FAILED'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'RESULT_TIMEOUT'
  | 'EXECUTION_CANCELLED'
  | 'TASK_FAILED'
  | 'ORDERS_STRUCK';

/** The body of every error the sample answers: `{ statusCode, code, message }` (and `details` for validation). */
export interface ApiErrorBody {
  statusCode: number;
  code: ApiErrorCode;
  message: string;
  details?: string[];
}

/** An HttpException whose body carries a machine-readable `code`. */
export class ApiError extends HttpException {
  constructor(status: HttpStatus, code: ApiErrorCode, message: string, details?: string[]) {
    const body: ApiErrorBody = { statusCode: status, code, message, ...(details ? { details } : {}) };
    super(body, status);
  }
}
