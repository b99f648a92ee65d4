/**
 * What commands print: a table for people, or with `--json` the same JSON the admin API answers, so
 * scripts can switch between the two.
 */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Left-aligned columns with a header row; `null`/`undefined` cells print as `-`, times as ISO dates. */
export function printTable(rows: readonly Record<string, unknown>[], columns: readonly string[]): void {
  if (rows.length === 0) {
    process.stdout.write('(none)\n');
    return;
  }
  const cells = rows.map((row) => columns.map((column) => cell(column, row[column])));
  const widths = columns.map((column, i) => Math.max(column.length, ...cells.map((r) => r[i]!.length)));
  const line = (values: readonly string[]) => values.map((v, i) => v.padEnd(widths[i]!)).join('  ').trimEnd();
  process.stdout.write(`${[line(columns.map((c) => c.toUpperCase())), ...cells.map(line)].join('\n')}\n`);
}

/** Prints a list as JSON (`{"<plural>": [...], "next_cursor": …}`) or as a table plus the next cursor. */
export function printList(
  options: { readonly json?: boolean },
  plural: string,
  page: { readonly items: readonly Record<string, unknown>[]; readonly nextCursor: string | null },
  columns: readonly string[],
): void {
  if (options.json === true) {
    printJson({ [plural]: page.items, next_cursor: page.nextCursor });
    return;
  }
  printTable(page.items, columns);
  if (page.nextCursor !== null) process.stdout.write(`more: --cursor ${page.nextCursor}\n`);
}

/** An action's outcome: a sentence for people, or with `--json` an object for scripts. */
export function printOutcome(options: { readonly json?: boolean }, json: Readonly<Record<string, unknown>>, text: string): void {
  if (options.json === true) printJson(json);
  else process.stdout.write(`${text}\n`);
}

function cell(column: string, value: unknown): string {
  if (value === null || value === undefined) return '-';
  if (typeof value === 'number' && column.endsWith('_at')) return new Date(value * 1000).toISOString().replace('.000Z', 'Z');
  if (Array.isArray(value)) return value.length === 0 ? '-' : value.join(',');
  return String(value);
}
