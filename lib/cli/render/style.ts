/**
 * ANSI styling for terminals, and nothing at all for pipes and files: every renderer takes a
 * {@link Style} so that the same view serves both.
 */
import { ExecutionState } from '../../core/execution/execution-state.enum';

/** The colours the CLI uses. */
export type Color = 'red' | 'green' | 'yellow' | 'blue' | 'magenta' | 'cyan' | 'dim' | 'bold';

const CODES: Readonly<Record<Color, [number, number]>> = {
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  blue: [34, 39],
  magenta: [35, 39],
  cyan: [36, 39],
  dim: [2, 22],
  bold: [1, 22],
};

/** Paints text in a colour, or returns it unchanged. */
export type Style = (text: string, color: Color) => string;

/** No styling: for pipes, files and `NO_COLOR`. */
export const plainStyle: Style = (text) => text;

/** ANSI SGR styling. */
export const ansiStyle: Style = (text, color) => {
  const [on, off] = CODES[color];
  return `\x1b[${on}m${text}\x1b[${off}m`;
};

/**
 * The style for a stream: colours only on a terminal, and never when `NO_COLOR` is set
 * (https://no-color.org).
 */
export function styleFor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): Style {
  return stream.isTTY && !env.NO_COLOR ? ansiStyle : plainStyle;
}

/** The colour of each state, as in the original's watch view. */
export const STATE_COLORS: Readonly<Record<ExecutionState, Color>> = {
  [ExecutionState.SCHEDULED]: 'yellow',
  [ExecutionState.QUEUED]: 'cyan',
  [ExecutionState.RUNNING]: 'blue',
  [ExecutionState.COMPLETED]: 'green',
  [ExecutionState.FAILED]: 'red',
  [ExecutionState.CANCELLED]: 'magenta',
};

const ANSI = /\x1b\[[0-9;]*[A-Za-z]/g;
const ANSI_HERE = /\x1b\[[0-9;]*[A-Za-z]/y;

/** The length of `text` as it shows on screen (escape sequences take no room). */
export function visibleLength(text: string): number {
  return text.replace(ANSI, '').length;
}

/**
 * Cuts `text` to `width` visible characters, ending in `…` when cut, keeping escape sequences
 * whole (and resetting styles after a cut), so that a redrawn line never wraps.
 */
export function truncate(text: string, width: number): string {
  if (width <= 0 || visibleLength(text) <= width) return text;
  let out = '';
  let shown = 0;
  for (let i = 0; i < text.length; ) {
    ANSI_HERE.lastIndex = i;
    const sequence = ANSI_HERE.exec(text);
    if (sequence) {
      out += sequence[0];
      i += sequence[0].length;
      continue;
    }
    if (shown === width - 1) return out.includes('\x1b') ? `${out}…\x1b[0m` : `${out}…`;
    out += text[i++];
    shown++;
  }
  return out;
}
