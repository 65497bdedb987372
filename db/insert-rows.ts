/**
 * Row inserts without the query builder, for writes on the event loop's hot path (the collaboration
 * log). Building the statement in drizzle, and on PGlite the parse/describe round trips of every
 * `query()`, cost several times the insert itself (bench/insert.ts). Table and column names still
 * come from the schema.
 */
import { getTableConfig, type PgColumn, type PgTable } from 'drizzle-orm/pg-core';
import type { Sql } from 'postgres';

/** One row's values in column order, as the driver takes them: timestamps as ISO strings. */
export type Row = readonly unknown[];

/**
 * Inserts the rows in one transaction. Not for use inside a transaction: it runs on its own
 * connection / session turn.
 */
export interface InsertRows {
	(rows: readonly Row[]): Promise<void>;
	/**
	 * Where the driver can (PGlite while idle): inserts and commits before returning true, or throws
	 * what the insert failed with. False: nothing was done now; use the promise form.
	 */
	now?: (rows: readonly Row[]) => boolean;
}

/** A driver's way of making an InsertRows for a table's columns. */
export type Inserter = (table: PgTable, columns: readonly PgColumn[]) => InsertRows;

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** `insert into "t" ("a", "b") values ($1, $2), ($3, $4)…` for `rows` rows. */
export function insertSql(table: PgTable, columns: readonly PgColumn[], rows: number): string {
	const { name, schema } = getTableConfig(table);
	const target = (schema ? `${quote(schema)}.` : '') + quote(name);
	const tuples = Array.from({ length: rows }, (_, r) => `(${columns.map((_, c) => `$${r * columns.length + c + 1}`).join(', ')})`);
	return `insert into ${target} (${columns.map((c) => quote(c.name)).join(', ')}) values ${tuples.join(', ')}`;
}

/** One inserter per table and column list, so each driver prepares its statement once. */
export function memoInserter(make: Inserter): Inserter {
	const made = new Map<PgTable, Map<string, InsertRows>>();
	return (table, columns) => {
		const key = columns.map((c) => c.name).join(',');
		let byColumns = made.get(table);
		if (!byColumns) made.set(table, (byColumns = new Map()));
		let insert = byColumns.get(key);
		if (!insert) byColumns.set(key, (insert = make(table, columns)));
		return insert;
	};
}

/**
 * postgres.js: one row (the usual case) as a named prepared statement, cached per connection; several
 * in one multi-row statement (one round trip, one commit), unprepared so the cache does not grow with
 * every batch size.
 */
export function postgresInserter(client: Sql): Inserter {
	return memoInserter((table, columns) => {
		const single = insertSql(table, columns, 1);
		return async (rows) => {
			if (!rows.length) return;
			const params = rows.flat() as never[];
			await client.unsafe(rows.length === 1 ? single : insertSql(table, columns, rows.length), params, { prepare: rows.length === 1 });
		};
	});
}
