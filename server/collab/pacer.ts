/**
 * Spreads large socket writes over turns of the event loop. A join storm's sync requests arrive many
 * to one turn, and answering each with the whole board (1.5 MB for 10 000 features) inside that turn
 * kept the loop busy for 60–150 ms at a time: edits, presence and API requests of every other room waited
 * behind it. A large message is queued on its connection instead, and each turn writes at most
 * `bytesPerTurn` (always at least one message a turn), connections served in the order they queued.
 * A connection with anything queued queues its later messages behind it, so its order never changes.
 */

/** A connection as the pacer sees it. */
export interface PacedOutput {
	/** Size of the next queued message; null when nothing is queued (or the connection closed). */
	readonly nextSize: number | null;
	/** Writes the next queued message. */
	writeNext(): void;
}

export class SendPacer {
	private readonly waiting: PacedOutput[] = [];
	private readonly queued = new Set<PacedOutput>();
	private scheduled = false;

	constructor(
		/** Messages of this size or more are paced; smaller ones go at once unless their connection has a queue. */
		readonly largeBytes: number,
		private readonly bytesPerTurn: number
	) {}

	/** `output` has queued messages: write them in a later turn. */
	schedule(output: PacedOutput): void {
		if (!this.queued.has(output)) {
			this.queued.add(output);
			this.waiting.push(output);
		}
		this.soon();
	}

	private soon(): void {
		if (this.scheduled) return;
		this.scheduled = true;
		setImmediate(() => this.turn());
	}

	private turn(): void {
		this.scheduled = false;
		let written = 0;
		while (this.waiting.length) {
			const output = this.waiting[0];
			const size = output.nextSize;
			if (size === null) {
				this.waiting.shift();
				this.queued.delete(output);
				continue;
			}
			// The first message of a turn goes whatever its size; later ones only within the budget.
			if (written > 0 && written + size > this.bytesPerTurn) break;
			output.writeNext();
			written += size;
		}
		if (this.waiting.length) this.soon();
	}
}
