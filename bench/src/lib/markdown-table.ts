/** `right` for figures, `center` for marks such as ✓; `left` is Markdown's default (a plain `---`). */
export type ColumnAlignment = 'left' | 'right' | 'center';

export interface TableColumn {
  readonly header: string;
  readonly align: ColumnAlignment;
}

const SEPARATOR: Record<ColumnAlignment, string> = { left: '---', right: '---:', center: ':---:' };

export const leftColumn = (header: string): TableColumn => ({ header, align: 'left' });
export const rightColumn = (header: string): TableColumn => ({ header, align: 'right' });
export const centerColumn = (header: string): TableColumn => ({ header, align: 'center' });

/** One table line; an empty cell prints as two spaces between its pipes. */
function markdownRow(cells: readonly string[]): string {
  return `| ${cells.join(' | ')} |`;
}

/**
 * A GitHub-flavoured Markdown table: header, alignment row, then one line per row, without a
 * trailing newline. Each row has one cell per column; cells are written as given (no `|` escaping).
 */
export function markdownTable(columns: readonly TableColumn[], rows: readonly (readonly string[])[]): string {
  const header = markdownRow(columns.map((column) => column.header));
  const alignment = markdownRow(columns.map((column) => SEPARATOR[column.align]));
  return [header, alignment, ...rows.map(markdownRow)].join('\n');
}
