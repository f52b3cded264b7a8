/**
 * Warnings about bad data, at most one line per topic per interval: garbage arriving in a flood
 * must not become a flood of log lines. The lines held back are counted in the next one.
 */
import type { DocketLogger } from './logger';

const EVERY_MS = 10_000;

export class RateLimitedLog {
  private readonly topics = new Map<string, { at: number; held: number }>();

  constructor(
    private readonly logger: DocketLogger,
    private readonly everyMs = EVERY_MS,
  ) {}

  /** Warns with `message` unless a warning of `topic` went out less than the interval ago. */
  warn(topic: string, message: string): void {
    const now = Date.now();
    const last = this.topics.get(topic);
    if (last && now - last.at < this.everyMs) {
      last.held++;
      return;
    }
    const held = last?.held ? ` (and ${last.held} more like it since the last such line)` : '';
    this.topics.set(topic, { at: now, held: 0 });
    // A topic per kind of bad data keeps this map small; it is never cleared.
    this.logger.warn(`${message}${held}`);
  }
}

/** The first `max` characters of `text` for a log line, with what was cut counted. */
export function excerpt(text: string, max = 120): string {
  const shown = JSON.stringify(text.length > max ? text.slice(0, max) : text);
  return text.length > max ? `${shown}… (${text.length} chars)` : shown;
}
