import { Body, Controller, HttpCode, HttpStatus, Post, UseGuards } from '@nestjs/common';
import { Disposition, DocketService } from 'nestjs-docket';
import { ApiError } from '../http/api-error';
import { JsonBodyGuard } from '../http/json-body.guard';
import { OrderTasks } from './order.tasks';
import { CreateOrderBody, SendReceiptBody } from './order.types';

/** Takes orders and hands them to the docket; the answer links to where to follow them. */
@Controller('orders')
export class OrdersController {
  constructor(
    private readonly docket: DocketService,
    private readonly tasks: OrderTasks,
  ) {}

  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  @UseGuards(JsonBodyGuard)
  async create(@Body() body: CreateOrderBody): Promise<{ key: string; state: string; links: Record<string, string> }> {
    const execution = await this.docket.add(this.tasks.processOrder)(body.customerId, body.items, body.delayMs ?? 20);
    if (execution.disposition === Disposition.STRUCK) {
      // Struck (`docket strike processOrder`): nothing was added.
      throw new ApiError(HttpStatus.SERVICE_UNAVAILABLE, 'ORDERS_STRUCK', 'Orders are not taken now: processOrder is struck (see `docket strikes`).');
    }
    const self = `/executions/${encodeURIComponent(execution.key)}`;
    return {
      key: execution.key,
      state: execution.state,
      links: { self, events: `${self}/events`, result: `${self}/result` },
    };
  }

  /** Mails a receipt in the background; the address never reaches a log line or the dashboard. */
  @Post('receipts')
  @HttpCode(HttpStatus.ACCEPTED)
  @UseGuards(JsonBodyGuard)
  async receipt(@Body() body: SendReceiptBody): Promise<{ key: string; state: string }> {
    const execution = await this.docket.add(this.tasks.sendReceipt)(body.customerId, body.email);
    return { key: execution.key, state: execution.state };
  }
}
