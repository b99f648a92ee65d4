/**
 * The few operations the shared SQL store needs from a database driver. SQL is written once with `?`
 * placeholders; the PostgreSQL driver numbers them.
 */
export interface SqlDriver {
  readonly dialect: 'sqlite' | 'postgres';
  all<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /**
   * The rows of a query as arrays, in the order of its select list: no object per row. better-sqlite3
   * builds a row object property by property, which cost more than the read itself on a 24-column
   * session row (docs/performance.md, P7). Optional: without it, `all` is read in select-list order.
   */
  values?(sql: string, params?: readonly unknown[]): Promise<unknown[][]>;
  /** Answers the number of rows changed. */
  run(sql: string, params?: readonly unknown[]): Promise<number>;
  /** Runs `work` in one transaction (serialised with every other statement on SQLite). */
  transaction<T>(work: (tx: SqlDriver) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
