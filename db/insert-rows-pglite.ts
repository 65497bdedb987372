/**
 * PGlite inserts over the wire protocol: `query()` sends parse, describe, bind, describe, execute and
 * sync as six calls into the WASM backend on every insert. Here the statement is parsed and described
 * once (named, per PGlite session); an insert is then one call: bind + execute per row, then sync,
 * which commits all rows together (the extended protocol's implicit transaction; an error rolls all
 * back). Commit durability is PGlite's own: the WAL is written to the data folder before sync returns.
 *
 * `now` runs that call synchronously while the database is idle. At 40 edits a second every insert
 * finds the process's caches cold, and the two async locks plus the promise hops around them cost the
 * collaboration log ≈ 0.1–0.3 ms of each edit's relay latency (bench/README.md).
 */
import { protocol, messages } from '@electric-sql/pglite';
import { insertSql, memoInserter, type Inserter, type Row } from './insert-rows';
import type { TrackedPGlite } from './pglite-client';

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

const ERROR_RESPONSE = 0x45; // 'E'
const BYTEA = 17; // pg_type oid

/**
 * Throws the error the backend answered with, as execProtocol would. The answer is scanned by message
 * header (type byte, then a length that counts itself) and parsed only when it holds an error.
 */
function throwIfFailed(response: Uint8Array): void {
	const view = new DataView(response.buffer, response.byteOffset, response.byteLength);
	for (let at = 0; at + 5 <= response.length; at += 1 + view.getInt32(at + 1)) {
		if (response[at] !== ERROR_RESPONSE) continue;
		let error: messages.DatabaseError | null = null;
		new protocol.Parser().parse(response, (m) => {
			if (!error && m instanceof messages.DatabaseError) error = m;
		});
		throw error ?? new Error('PGlite answered with an error it could not parse');
	}
}

export function pgliteInserter(client: TrackedPGlite): Inserter {
	let statements = 0;
	return memoInserter((table, columns) => {
		const name = `insert_rows_${++statements}`;
		let types: number[] | null = null;
		// Serialised like query() does: by the parameter types Postgres reports for the statement,
		// except bytea, which PGlite turns into hex one string per byte; Buffer does it natively.
		const text = (value: unknown, type: number): string | null => {
			if (value === null || value === undefined) return null;
			if (type === BYTEA && value instanceof Uint8Array) return `\\x${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex')}`;
			return client.serializers[type]?.(value) ?? String(value);
		};
		const message = (rows: readonly Row[], known: number[]): Uint8Array => {
			const parts: Uint8Array[] = [];
			for (const row of rows) parts.push(bind({ statement: name, values: row.map((v, i) => text(v, known[i])) }), execute({}));
			parts.push(sync());
			return concat(parts);
		};
		// execProtocol takes no lock of its own. Both locks, as PGlite's own describeQuery takes them:
		// the query lock alone (runExclusive) would let this run between the statements of someone's
		// transaction, and join it.
		const exclusive = <T>(fn: () => Promise<T>) => client._runExclusiveTransaction(() => client.runExclusive(fn));
		const insert = (rows: readonly Row[]) =>
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
				try {
					await client.execProtocol(message(rows, types));
				} catch (e) {
					// Prepare again next time, in case the error was the statement itself going missing.
					types = null;
					throw e;
				}
			});
		// Idle means no transaction is open either, so the sync's commit is this insert's alone. The file
		// systems this runs on (a data folder, memory) write through, so there is nothing to sync after.
		const now = (rows: readonly Row[]): boolean => {
			if (!types || !client.idle) return false;
			if (!rows.length) return true;
			try {
				throwIfFailed(client.execProtocolRawSync(message(rows, types)));
			} catch (e) {
				types = null;
				throw e;
			}
			return true;
		};
		return Object.assign(insert, { now });
	});
}
