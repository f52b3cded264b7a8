import { Inject } from '@nestjs/common';
import { DEFAULT_DOCKET_NAME } from '../docket.constants';
import { getDocketToken } from '../docket-token.util';

/**
 * Injects the {@link DocketService} of the docket registered under `name`, for apps with several
 * dockets. With one docket, injecting `DocketService` by its class does the same.
 *
 * @param name the name given to `DocketModule.forRoot({ name })` @default 'docket'
 * @example
 * @Injectable()
 * export class Signup {
 *   constructor(@InjectDocket('emails') private readonly emails: DocketService) {}
 * }
 */
export function InjectDocket(name: string = DEFAULT_DOCKET_NAME): ParameterDecorator & PropertyDecorator {
  return Inject(getDocketToken(name));
}
