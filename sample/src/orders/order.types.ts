/** The body of `POST /orders`. */
export interface CreateOrderBody {
  customerId?: unknown;
  /** The items to pack; an item named `missing-…` is not in the catalog and fails the order. */
  items?: unknown;
  /** How long (ms) packing one item takes; keep it small in tests. @default 20 */
  delayMs?: unknown;
}

/** What processing an order returns. */
export interface OrderResult {
  readonly customerId: string;
  readonly packed: number;
  readonly items: readonly string[];
  readonly completedAt: Date;
}
