/** The text of `docket quarantine ls` and `docket quarantine show`. */
import type { QuarantinedItem } from '../../core/store';
import { plainStyle, type Style } from './style';
import { renderTable } from './table';
import { formatDateTime } from './time';

/**
 * A table of quarantined items, newest first, with how many the quarantine holds.
 *
 * @example
 * const { items, total } = await docket.quarantine.list();
 * renderQuarantine(items, total, docket.name);
 */
export function renderQuarantine(items: readonly QuarantinedItem[], total: number, docket: string, options: { style?: Style } = {}): string[] {
  const style = options.style ?? plainStyle;
  if (total === 0) return [`Nothing is quarantined in docket "${docket}".`];
  const shown = items.length < total ? ` (the newest ${items.length} shown)` : '';
  return [
    `${style(`Quarantine of docket "${docket}"`, 'bold')}: ${total}${shown}`,
    '',
    ...renderTable(
      [{ title: 'Id' }, { title: 'When' }, { title: 'What' }, { title: 'Key' }, { title: 'Why' }],
      items.map((i) => [i.id, formatDateTime(i.at), i.what, i.key || '-', i.reason]),
      style,
    ),
  ];
}

/**
 * One quarantined item, field by field, with what was found as it was found.
 *
 * @example
 * renderQuarantinedItem((await docket.quarantine.get(id))!);
 */
export function renderQuarantinedItem(item: QuarantinedItem): string[] {
  return [
    `Id:      ${item.id}`,
    `When:    ${formatDateTime(item.at)}`,
    `What:    ${item.what}`,
    `Key:     ${item.key || '-'}`,
    `Message: ${item.messageId || '-'}`,
    `Why:     ${item.reason}`,
    `Found:   ${item.raw}`,
  ];
}
