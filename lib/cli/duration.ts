/**
 * Durations as people type them on a command line: `500ms`, `30s`, `5m`, `1h`, `1.5s`, or a
 * clock `mm:ss` / `hh:mm:ss`. A bare number is refused (except 0): the original read it as
 * seconds while every option of the library is in ms, so guessing would be wrong half the time.
 */

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };
const WITH_UNIT = /^(\d+(?:\.\d+)?|\.\d+)(ms|s|m|h)$/;
const CLOCK = /^(?:(\d+):)?(\d+):(\d{2})$/;

/** What a duration may look like, for error messages and help texts. */
export const DURATION_FORMS = '500ms, 30s, 5m, 1h or mm:ss';

/**
 * Parses a duration into milliseconds (rounded to whole ms).
 *
 * @throws RangeError naming the text and the accepted forms.
 * @example
 * parseDuration('1.5s'); // 1500
 * parseDuration('01:30'); // 90000
 */
export function parseDuration(text: string): number {
  const trimmed = text.trim().toLowerCase();
  if (trimmed === '0') return 0;
  const unit = WITH_UNIT.exec(trimmed);
  if (unit) return Math.round(Number(unit[1]) * UNIT_MS[unit[2]]);
  const clock = CLOCK.exec(trimmed);
  if (clock) {
    const [, hours, minutes, seconds] = clock;
    if (Number(seconds) >= 60 || (hours !== undefined && Number(minutes) >= 60)) {
      throw new RangeError(`"${text}" is not a valid clock duration: minutes and seconds go up to 59.`);
    }
    return ((Number(hours ?? 0) * 60 + Number(minutes)) * 60 + Number(seconds)) * 1_000;
  }
  if (/^\d+(?:\.\d+)?$/.test(trimmed)) {
    throw new RangeError(`"${text}" has no unit: write ${trimmed}ms or ${trimmed}s (durations look like ${DURATION_FORMS}).`);
  }
  throw new RangeError(`"${text}" is not a duration: write it like ${DURATION_FORMS}.`);
}
