/**
 * A block of lines at the bottom of a terminal that is redrawn in place: each update moves the
 * cursor back up over the previous block and clears it before writing the new one.
 */
import type { Output } from '../cli-context';
import { truncate } from './style';

/** Used when the terminal does not say how wide it is (a pty made by `script` reports 0). */
const FALLBACK_COLUMNS = 80;

/**
 * Redraws a block of lines in place.
 *
 * @example
 * const region = new LiveRegion(process.stdout);
 * region.update(['State: RUNNING']);
 * region.update(['State: COMPLETED']);
 */
export class LiveRegion {
  private height = 0;
  private last = '';

  constructor(private readonly out: Output) {}

  /** How wide a line may be without wrapping (a wrapped line would break the redraw). */
  get width(): number {
    return (this.out.columns || FALLBACK_COLUMNS) - 1;
  }

  /** Replaces the block with `lines` (writing nothing when they have not changed). */
  update(lines: readonly string[]): void {
    const body = lines.map((line) => truncate(line, this.width)).join('\n');
    if (body === this.last && this.height > 0) return;
    const up = this.height > 0 ? `\x1b[${this.height}A\r\x1b[0J` : '';
    this.out.write(`${up}${body}\n`);
    this.height = lines.length;
    this.last = body;
  }
}
