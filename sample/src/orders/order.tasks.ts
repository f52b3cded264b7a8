import { Injectable, NotFoundException, type LoggerService } from '@nestjs/common';
import { setTimeout as delay } from 'node:timers/promises';
import { Cancellation, ExecutionProgress, Logged, Progress, Task, TaskLogger } from 'nestjs-docket';
import type { OrderResult } from './order.types';

/** The background work of the orders app. */
@Injectable()
export class OrderTasks {
  /**
   * Packs an order's items one by one, reporting progress as it goes. An item the catalog does
   * not have fails the order with a 404, which reaches whoever awaits the result over HTTP.
   */
  @Task()
  async processOrder(
    @Logged() customerId: string,
    @Logged({ lengthOnly: true }) items: string[],
    @Logged() delayMs: number,
    @Progress() progress: ExecutionProgress,
    @TaskLogger() logger: LoggerService,
    @Cancellation() signal: AbortSignal,
  ): Promise<OrderResult> {
    await progress.setTotal(items.length);
    await progress.setMessage('Packing');
    for (const item of items) {
      if (item.startsWith('missing-')) throw new NotFoundException(`Item "${item}" is not in the catalog`);
      await delay(delayMs, undefined, { signal });
      await progress.increment();
      await progress.setMessage(`Packed ${item}`);
    }
    logger.log(`Packed ${items.length} item(s)`);
    return { customerId, packed: items.length, items, completedAt: new Date() };
  }

  /**
   * Mails a receipt. The address is not `@Logged`: logs, `docket watch` and the dashboard show it
   * as `...`, never its value.
   */
  @Task()
  async sendReceipt(@Logged() customerId: string, email: string, @TaskLogger() logger: LoggerService): Promise<{ customerId: string; sent: boolean }> {
    if (!email.includes('@')) throw new TypeError('The receipt address is not an email address');
    logger.log(`Receipt sent to customer ${customerId}`);
    return { customerId, sent: true };
  }
}
