import { Module } from '@nestjs/common';
import { OrderTasks } from './order.tasks';
import { OrdersController } from './orders.controller';

/** Orders: the task that processes them and the endpoint that takes them. */
@Module({ providers: [OrderTasks], controllers: [OrdersController] })
export class OrdersModule {}
