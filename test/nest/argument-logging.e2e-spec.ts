import { Injectable } from '@nestjs/common';
import { DocketModule, DocketService, ExecutionProgress, Logged, Progress, Task } from 'nestjs-docket';
import { dropDocket, leakedKeys, redisUrl, uniqueName } from '../support/docket-test';
import { bootModule, CapturingLogger } from './nest-test';

const SECRET_CARD = 'SECRET-CARD-4111-1111';
const SECRET_NOTE = 'SECRET-NOTE-do-not-log';

@Injectable()
class PaymentTasks {
  @Task()
  async processPayment(
    @Logged() customerId: string,
    creditCard: string,
    @Progress() progress: ExecutionProgress,
    @Logged() amount = 0,
    @Logged() traceId = 'unknown',
  ): Promise<number> {
    await progress.setTotal(1);
    return creditCard.length + amount + traceId.length + customerId.length;
  }

  @Task()
  async bulkUpdate(
    @Logged({ lengthOnly: true }) userIds: string[],
    @Logged({ lengthOnly: true }) metadata: Record<string, string>,
    @Logged({ lengthOnly: true }) options: Set<string>,
    @Logged({ lengthOnly: true }) index: Map<string, number>,
    @Logged({ lengthOnly: true }) note: string,
  ): Promise<void> {
    void [userIds, metadata, options, index, note];
  }

  @Task()
  async declined(@Logged() customerId: string, creditCard: string): Promise<void> {
    throw new Error(`card of ${customerId} declined (${creditCard.length} digits)`);
  }
}

describe('argument logging', () => {
  it('renders each call with @Logged values and hides every other value, at every level', async () => {
    const logger = new CapturingLogger();
    const app = await bootModule(
      { imports: [DocketModule.forRoot({ name: uniqueName('logging'), url: redisUrl() })], providers: [PaymentTasks] },
      logger,
    );
    const service = app.get(DocketService);
    const tasks = app.get(PaymentTasks);

    const paid = await service.add(tasks.processPayment)('12345', SECRET_CARD, 150, 'abc-123');
    await paid.getResult({ timeout: 10_000 });
    const bulk = await service.add(tasks.bulkUpdate)(
      Array.from({ length: 150 }, (_, i) => `user-${i}`),
      { a: SECRET_NOTE, b: '2', c: '3', d: '4', e: '5' },
      new Set(['x', 'y', 'z']),
      new Map([[SECRET_NOTE, 1]]),
      SECRET_NOTE,
    );
    await bulk.getResult({ timeout: 10_000 });
    const failed = await service.add(tasks.declined)('777', SECRET_CARD);
    await expect(failed.getResult({ timeout: 10_000 })).rejects.toThrow('card of 777 declined (21 digits)');
    await app.close();

    const context = `[Docket:${service.name}]`;
    const lines = logger.lines().filter((l) => l.includes(context));
    const payment = `processPayment(customerId='12345', creditCard=..., amount=150, traceId='abc-123'){${paid.key}}`;
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(new RegExp(`^LOG .* ↪ \\[ *\\d+ms\\] ${escape(payment)}$`)),
        expect.stringMatching(new RegExp(`^LOG .* ↩ \\[ *\\d+ms\\] ${escape(payment)}$`)),
        expect.stringContaining(
          `bulkUpdate(userIds=[len 150], metadata={len 5}, options={len 3}, index={len 1}, note=[len 22]){${bulk.key}}`,
        ),
        expect.stringMatching(
          new RegExp(`^ERROR .* ↩ .*${escape(`declined(customerId='777', creditCard=...){${failed.key}} failed: Error: card of 777 declined`)}`),
        ),
      ]),
    );
    const everything = logger.everything();
    expect(everything).not.toContain(SECRET_CARD);
    expect(everything).not.toContain(SECRET_NOTE);

    expect(await leakedKeys(service.docket)).toEqual([]);
    await dropDocket(service.docket);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
