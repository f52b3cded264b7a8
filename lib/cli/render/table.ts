/** Plain text tables: columns padded to their widest cell, a rule under the header. */
import { plainStyle, visibleLength, type Style } from './style';

/** A column: its title and whether numbers in it align right. */
export interface Column {
  readonly title: string;
  readonly align?: 'left' | 'right';
}

/**
 * Renders rows under a header, two spaces between columns, trailing spaces trimmed.
 *
 * @example
 * renderTable([{ title: 'Task' }, { title: 'Total', align: 'right' }], [['trace', '3']]);
 * // ['Task   Total', '─────  ─────', 'trace      3']
 */
export function renderTable(columns: readonly Column[], rows: readonly (readonly string[])[], style: Style = plainStyle): string[] {
  const widths = columns.map((column, i) =>
    Math.max(visibleLength(column.title), ...rows.map((row) => visibleLength(row[i] ?? ''))),
  );
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => {
        const room = ' '.repeat(widths[i] - visibleLength(cell));
        return columns[i].align === 'right' ? room + cell : cell + room;
      })
      .join('  ')
      .trimEnd();
  return [
    style(line(columns.map((c) => c.title)), 'bold'),
    widths.map((w) => '─'.repeat(w)).join('  '),
    ...rows.map((row) => line(columns.map((_, i) => row[i] ?? ''))),
  ];
}
