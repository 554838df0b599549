/**
 * The node-postgres (`pg`) objects the stores use, declared by shape so that
 * these types need neither pg's nor @types/pg's: a `pg.Pool` fits `PgPool`.
 */

/** What `query` resolves. */
export interface PgResult<Row> {
  rows: Row[];
  rowCount: number | null;
}

/** A client checked out of the pool (`pool.connect()`), for a transaction. */
export interface PgClient {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  query<Row = any>(text: string, values?: unknown[]): Promise<PgResult<Row>>;
  release(err?: Error | boolean): void;
}

/** A `pg.Pool` you create and end; the stores only borrow it. */
export interface PgPool {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  query<Row = any>(text: string, values?: unknown[]): Promise<PgResult<Row>>;
  connect(): Promise<PgClient>;
}
