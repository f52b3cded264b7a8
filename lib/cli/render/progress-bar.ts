/** The progress bar of the watch view: `[████████████░░░░░░░░] 60/100 (60.0%)`. */

/** Cells in a bar. */
export const BAR_WIDTH = 20;

/**
 * Renders `current` of `total` as a bar with counts and a percentage. The bar fills by whole
 * cells rounded down, so it shows full only when the work is done; a total of 0 counts as 0 %.
 *
 * @example
 * renderProgressBar(60, 100); // '[████████████░░░░░░░░] 60/100 (60.0%)'
 */
export function renderProgressBar(current: number, total: number, width = BAR_WIDTH): string {
  const ratio = total > 0 ? Math.min(1, Math.max(0, current / total)) : 0;
  const filled = Math.floor(ratio * width);
  const percent = (total > 0 ? (current / total) * 100 : 0).toFixed(1);
  return `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${current}/${total} (${percent}%)`;
}
