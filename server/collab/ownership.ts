/**
 * Who may write under which Yjs client id of one document. Yjs trusts the client ids in an update, so
 * a writer could author structs under another writer's id with clocks ahead of theirs; the owner's
 * genuine changes at those clocks would then look already known and be dropped. So every client id
 * belongs to the first user whose stored update wrote under it (null: the server's own writes),
 * recorded in `doc_clients` in that update's transaction, and an update writing under someone else's
 * id is refused whole.
 *
 * Pure. Memory holds only owners the database confirmed; they never change, so an update under known
 * ids needs no round trip. An id not confirmed yet is claimed in the insert transaction
 * (`admitBatch`), where the database's answer decides.
 */

/** A user id; null for the server. */
export type Owner = string | null;

export type Verdict = { foreign: number } | { claims: number[] };

export class ClientOwners {
	/** Confirmed by the database. */
	private readonly known = new Map<number, Owner>();
	/** Claimed by updates still being stored: nobody else gets these meanwhile. */
	private readonly claiming = new Map<number, Owner>();

	/**
	 * `presence`: the user whose presence (awareness) announces a client id. Presence shows a tab's id
	 * before it writes anything, so nobody else may claim an id announced by another user.
	 */
	constructor(private readonly presence: (clientId: number) => string | undefined = () => undefined) {}

	/**
	 * For a change by `user` writing under the client ids `authors`: the first id that is someone
	 * else's (refuse the whole change), or the ids to claim with it (those not yet confirmed as the
	 * user's). Claimed ids are held for `user` until `settle`.
	 */
	admit(user: Owner, authors: Iterable<number>): Verdict {
		const claims: number[] = [];
		for (const id of authors) {
			const owner = this.ownerOf(id);
			if (owner !== undefined && owner !== user) return { foreign: id };
			if (!this.known.has(id)) claims.push(id);
		}
		for (const id of claims) if (!this.claiming.has(id)) this.claiming.set(id, user);
		return { claims };
	}

	/** The database's owners (after a load or a claiming insert); `released`: claims it did not take. */
	settle(owners: Iterable<[number, Owner]>, released: Iterable<number> = []): void {
		for (const [id, owner] of owners) {
			this.known.set(id, owner);
			this.claiming.delete(id);
		}
		for (const id of released) if (!this.known.has(id)) this.claiming.delete(id);
	}

	private ownerOf(id: number): Owner | undefined {
		const known = this.known.get(id);
		if (known !== undefined) return known;
		const claiming = this.claiming.get(id);
		return claiming !== undefined ? claiming : this.presence(id);
	}
}

/** What the log needs of an entry to settle its claims. */
export interface Claiming {
	userId: Owner;
	/** Client ids to claim for `userId` with this entry. */
	claims?: readonly number[];
	/** Who sent it (a connection; null: the server). */
	origin?: unknown;
}

export interface Admitted<E> {
	kept: E[];
	refused: E[];
	/** Ids the kept entries claim that nobody owned: to insert with them. */
	claimed: Map<number, Owner>;
}

/**
 * Splits a batch given the database's owners of the ids it claims. An entry claiming an id someone
 * else owns is refused, and so is every later entry from the same origin, since it may build on the
 * refused one; of two entries claiming a free id, the first takes it.
 */
export function admitBatch<E extends Claiming>(batch: E[], owners: ReadonlyMap<number, Owner>): Admitted<E> {
	const taken = new Map(owners);
	const claimed = new Map<number, Owner>();
	const refusedOrigins = new Set<unknown>();
	const kept: E[] = [];
	const refused: E[] = [];
	for (const entry of batch) {
		const claims = entry.claims ?? [];
		if (refusedOrigins.has(entry.origin) || claims.some((id) => taken.has(id) && taken.get(id) !== entry.userId)) {
			refusedOrigins.add(entry.origin);
			refused.push(entry);
			continue;
		}
		for (const id of claims) {
			if (taken.has(id)) continue;
			taken.set(id, entry.userId);
			claimed.set(id, entry.userId);
		}
		kept.push(entry);
	}
	return { kept, refused, claimed };
}
