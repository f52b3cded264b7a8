/**
 * `DocketTestingModule`: every docket of a Nest app on one `memory://` space, no worker started,
 * and an injectable {@link DocketTester} that runs what is due and moves the clock.
 */
import { type DynamicModule, Global, Inject, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { Docket } from '../../core/producer/docket';
import { DocketTester } from '../../core/testing/docket-tester';
import { forgetMemorySpace } from '../../core/backends';

/** The token of the {@link DocketTesting} state, which `DocketModule` looks for. */
export const DOCKET_TESTING = Symbol('DOCKET_TESTING');

/**
 * Options of {@link DocketTestingModule.forRoot}.
 *
 * @example
 * DocketTestingModule.forRoot({ url: 'memory://orders-spec' })
 */
export interface DocketTestingOptions {
  /** The memory space the app's dockets share. @default a new `memory://docket-testing-N` per module */
  readonly url?: string;
}

const DOCKET_TESTING_OPTIONS = Symbol('DOCKET_TESTING_OPTIONS');

let modules = 0;

/**
 * @internal What `DocketModule` reads under test: the URL that replaces its own, and where each
 * docket it makes is listed for the tester.
 */
@Injectable()
export class DocketTesting implements OnApplicationShutdown {
  readonly url: string;
  private readonly dockets = new Map<string, Docket>();

  constructor(@Inject(DOCKET_TESTING_OPTIONS) options: DocketTestingOptions) {
    this.url = options.url ?? `memory://docket-testing-${++modules}`;
  }

  /** Lists a docket the app made. */
  add(docket: Docket): void {
    this.dockets.set(docket.name, docket);
  }

  /** The app's dockets, in the order they were made. */
  list(): Docket[] {
    return [...this.dockets.values()];
  }

  /** The space goes with the app: a test module closed leaves nothing behind. */
  onApplicationShutdown(): void {
    forgetMemorySpace(this.url);
  }
}

/**
 * Puts every `DocketModule` docket of the app on `memory://` (one space, one clock) with no
 * worker started, and provides a {@link DocketTester} for all of them. Import it beside the
 * app's module in `Test.createTestingModule`; nothing else changes, and no Redis is needed.
 *
 * @example
 * const moduleRef = await Test.createTestingModule({
 *   imports: [AppModule, DocketTestingModule.forRoot()],
 * }).compile();
 * const app = await moduleRef.createNestApplication().init();
 * const tester = app.get(DocketTester);
 * await app.get(OrdersService).place('ada', ['apple']);
 * await tester.runUntilFinished();
 * await tester.expectNoTasks();
 * await app.close();
 */
@Global()
@Module({})
export class DocketTestingModule {
  /** The module; see {@link DocketTestingOptions}. */
  static forRoot(options: DocketTestingOptions = {}): DynamicModule {
    return {
      module: DocketTestingModule,
      providers: [
        { provide: DOCKET_TESTING_OPTIONS, useValue: options },
        DocketTesting,
        { provide: DOCKET_TESTING, useExisting: DocketTesting },
        { provide: DocketTester, useFactory: (testing: DocketTesting) => new DocketTester(() => testing.list()), inject: [DocketTesting] },
      ],
      exports: [DOCKET_TESTING, DocketTester],
    };
  }
}
