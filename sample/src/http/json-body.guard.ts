import { HttpStatus, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { ApiError } from './api-error';

/**
 * Lets through only requests whose body is JSON: a form or plain-text body would otherwise
 * reach the handler empty. Answers 415 with code UNSUPPORTED_MEDIA_TYPE.
 */
@Injectable()
export class JsonBodyGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const type = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined> }>().headers['content-type'] ?? '';
    if (/^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i.test(type)) return true;
    throw new ApiError(HttpStatus.UNSUPPORTED_MEDIA_TYPE, 'UNSUPPORTED_MEDIA_TYPE', `Send the order as JSON (content-type: application/json), not ${type || 'no content-type'}`);
  }
}
