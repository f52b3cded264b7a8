import { ArrayMaxSize, ArrayMinSize, IsArray, IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';

/** The body of `POST /orders`. */
export class CreateOrderBody {
  /** Who ordered. */
  @IsString()
  @Length(1, 100)
  customerId!: string;

  /** The items to pack; an item named `missing-…` is not in the catalog and fails the order. */
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @Length(1, 100, { each: true })
  items!: string[];

  /** How long (ms) packing one item takes; keep it small in tests. @default 20 */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(60_000)
  delayMs?: number;
}

/** The body of `POST /orders/receipts`. */
export class SendReceiptBody {
  @IsString()
  @Length(1, 100)
  customerId!: string;

  /** Where to send it; kept out of logs and the dashboard (not `@Logged`). */
  @IsString()
  @Length(1, 200)
  email!: string;
}

/** What processing an order returns. */
export interface OrderResult {
  readonly customerId: string;
  readonly packed: number;
  readonly items: readonly string[];
  readonly completedAt: Date;
}
