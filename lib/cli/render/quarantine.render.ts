/** The output of `docket quarantine ls` and `docket quarantine show`, as text or JSON. */
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

/** A quarantined item in JSON; `key` and `messageId` are null when unknown, `raw` is as found. */
export type QuarantinedItemJson = {
  id: string;
  at: string;
  what: string;
  key: string | null;
  messageId: string | null;
  reason: string;
  /** The item as it was found: JSON text (`jq '.raw | fromjson'` reads it). */
  raw: string;
};

/**
 * A quarantined item as JSON.
 *
 * @example
 * writeJson(io.stdout, { docket: docket.name, ...quarantinedItemJson(item) });
 */
export function quarantinedItemJson(item: QuarantinedItem): QuarantinedItemJson {
  return { id: item.id, at: item.at.toISOString(), what: item.what, key: item.key || null, messageId: item.messageId || null, reason: item.reason, raw: item.raw };
}
