import { goPrint, renderTemplate, unescapeFormat } from './template';
import { renderTable } from './table';

// How docker's list commands (ps, images) print rows: the default table, a `table TEMPLATE`,
// `json` (one object per line) or a bare template (one line per row, no header).
export interface ListingColumn<Row> {
  field: string;
  header: string;
  value: (row: Row) => string;
}

// A column that shows one field of a row of strings keyed by docker's template names.
export function fieldColumn(field: string, header: string): ListingColumn<Record<string, string>> {
  return { field, header, value: (row) => row[field] ?? '' };
}

export function renderListing<Row>(
  rows: readonly Row[],
  columns: readonly ListingColumn<Row>[],
  format: string | undefined,
  toJson: (row: Row) => Record<string, unknown>,
): string {
  const spec = format ?? 'table';
  if (spec === 'table' || spec === '') {
    return renderTable([columns.map((c) => c.header), ...rows.map((row) => columns.map((c) => c.value(row)))]);
  }
  if (spec === 'json') return rows.map((row) => `${goJson(toJson(row))}\n`).join('');
  if (spec.startsWith('table ')) {
    const template = spec.slice('table '.length);
    const headers = headerTemplate(template, columns);
    const lines = [headers, ...rows.map((row) => renderTemplate(template, toJson(row)))];
    return renderTable(lines.map((line) => line.split('\t')));
  }
  return rows.map((row) => `${renderTemplate(spec, toJson(row))}\n`).join('');
}

function headerTemplate<Row>(template: string, columns: readonly ListingColumn<Row>[]): string {
  const byField = new Map(columns.map((c) => [c.field, c.header]));
  return unescapeFormat(template).replace(/{{\s*(?:json\s+)?\.(\w+)\s*}}/g, (_m, field: string) => byField.get(field) ?? field.toUpperCase());
}

// Go's json.Marshal, which escapes HTML's characters: docker prints `"<none>"` as "\u003cnone\u003e".
export function goJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export { goPrint };
