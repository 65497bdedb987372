/**
 * PGlite inserts over the wire protocol: `query()` sends parse, describe, bind, describe, execute and
 * sync as six calls into the WASM backend on every insert. Here the statement is parsed and described
 * once (named, per PGlite session); an insert is then one call: bind + execute per row, then sync,
 * which commits all rows together (the extended protocol's implicit transaction; an error rolls all
 * back). Commit durability is PGlite's own: the WAL is written to the data folder before sync returns.
 */
import { protocol, type PGlite } from '@electric-sql/pglite';
import { insertSql, memoInserter, type Inserter } from './insert-rows';

const { bind, close, describe, execute, parse, sync } = protocol.serialize;

function concat(parts: Uint8Array[]): Uint8Array {
	const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
	let at = 0;
	for (const p of parts) {
		out.set(p, at);
		at += p.length;
	}
	return out;
}

export function pgliteInserter(client: PGlite): Inserter {
	let statements = 0;
	return memoInserter((table, columns) => {
		const name = `insert_rows_${++statements}`;
		let types: number[] | null = null;
		// Serialised like query() does: by the parameter types Postgres reports for the statement.
		const text = (value: unknown, type: number): string | null =>
			value === null || value === undefined ? null : (client.serializers[type]?.(value) ?? String(value));
		// execProtocol takes no lock of its own. Both locks, as PGlite's own describeQuery takes them:
		// the query lock alone (runExclusive) would let this run between the statements of someone's
		// transaction, and join it.
		const exclusive = <T>(fn: () => Promise<T>) => client._runExclusiveTransaction(() => client.runExclusive(fn));
		return (rows) =>
			exclusive(async () => {
				if (!rows.length) return;
				if (!types) {
					// Close first (a no-op when absent) so a failed earlier attempt cannot block the name.
					const prepare = [close({ type: 'S', name }), parse({ name, text: insertSql(table, columns, 1) }), describe({ type: 'S', name }), sync()];
					const { messages } = await client.execProtocol(concat(prepare));
					const description = messages.find((m) => m.name === 'parameterDescription') as { dataTypeIDs: number[] } | undefined;
					if (!description) throw new Error(`PGlite did not describe ${name}`);
					types = description.dataTypeIDs;
				}
				const known = types;
				const parts: Uint8Array[] = [];
				for (const row of rows) parts.push(bind({ statement: name, values: row.map((v, i) => text(v, known[i])) }), execute({}));
				parts.push(sync());
				try {
					await client.execProtocol(concat(parts));
				} catch (e) {
					// Prepare again next time, in case the error was the statement itself going missing.
					types = null;
					throw e;
				}
			});
	});
}
