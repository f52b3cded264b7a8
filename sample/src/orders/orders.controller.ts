import { BadRequestException, Body, Controller, HttpCode, HttpStatus, Post, ServiceUnavailableException } from '@nestjs/common';
import { Disposition, DocketService } from 'nestjs-docket';
import { OrderTasks } from './order.tasks';
import type { CreateOrderBody } from './order.types';

const DEFAULT_ITEMS = ['apple', 'bread', 'cheese', 'dates', 'eggs'];

/** Takes orders and hands them to the docket; the answer links to where to follow them. */
@Controller('orders')
export class OrdersController {
  constructor(
    private readonly docket: DocketService,
    private readonly tasks: OrderTasks,
  ) {}

  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  async create(@Body() body: CreateOrderBody = {}): Promise<{ key: string; state: string; links: Record<string, string> }> {
    const customerId = body.customerId ?? 'guest';
    const items = body.items ?? DEFAULT_ITEMS;
    const delayMs = body.delayMs ?? 20;
    if (typeof customerId !== 'string') throw new BadRequestException('customerId must be a string');
    if (!Array.isArray(items) || !items.every((i): i is string => typeof i === 'string')) {
      throw new BadRequestException('items must be an array of strings');
    }
    if (typeof delayMs !== 'number' || delayMs < 0) throw new BadRequestException('delayMs must be a number ≥ 0');
    const execution = await this.docket.add(this.tasks.processOrder)(customerId, items, delayMs);
    if (execution.disposition === Disposition.STRUCK) {
      // Struck (`docket strike --docket orders processOrder`): nothing was added.
      throw new ServiceUnavailableException('Orders are not taken now: processOrder is struck (see `docket strikes`).');
    }
    const self = `/executions/${encodeURIComponent(execution.key)}`;
    return {
      key: execution.key,
      state: execution.state,
      links: { self, events: `${self}/events`, result: `${self}/result` },
    };
  }
}
