// docker prints tables through Go's tabwriter with minwidth 10 and padding 3: every column but
// the last is as wide as its widest cell plus three spaces, and never narrower than ten. The
// padding stays when the last cell is empty (`docker history` with no comment), as tabwriter's.
const MIN_WIDTH = 10;
const PADDING = 3;

export function renderTable(rows: readonly (readonly string[])[], minWidth: number = MIN_WIDTH): string {
  if (rows.length === 0) return '';
  const columns = Math.max(...rows.map((row) => row.length));
  const widths: number[] = [];
  for (let col = 0; col < columns - 1; col += 1) {
    const widest = Math.max(...rows.map((row) => Array.from(row[col] ?? '').length));
    widths.push(Math.max(widest + PADDING, minWidth));
  }
  return rows
    .map((row) =>
      row
        .map((cell, col) => (col < row.length - 1 ? cell + ' '.repeat(Math.max(0, (widths[col] ?? 0) - Array.from(cell).length)) : cell))
        .join(''),
    )
    .map((line) => `${line}\n`)
    .join('');
}
