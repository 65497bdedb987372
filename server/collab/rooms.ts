/**
 * Loaded rooms by document name. A room is loaded on first use, held while anything refers to it
 * (connections, joins in progress, server transactions) and unloaded a little after the last leaves,
 * once its pending updates are stored and a snapshot written if worthwhile.
 */
import type { BoardDoc } from '../../src/lib/board/docs';
import type { StatusReading } from './access';
import { withTimeout } from './options';
import { Room, type RoomDeps } from './room';

export class Rooms {
	/** By name: the room new joiners get. */
	private readonly rooms = new Map<string, Room>();
	/** Every room not yet destroyed, including evicted ones whose clients are still leaving. */
	private readonly live = new Set<Room>();
	private closed = false;

	constructor(private readonly deps: Omit<RoomDeps, 'evict'>) {}

	get size(): number {
		return this.rooms.size;
	}

	/** Every room in memory (evicted ones too, until their clients are gone). */
	all(): Room[] {
		return [...this.live];
	}

	/** The loaded room for a document, with one reference held for the caller (see `release`). `status` seeds the status watch (null: look it up). */
	async acquire(name: string, ref: BoardDoc, status: StatusReading | null): Promise<Room> {
		if (this.closed) throw new Error('collab server is closed');
		let room = this.rooms.get(name);
		if (room && status) this.deps.statuses.note(ref.exerciseId, status);
		if (!room) {
			room = new Room(name, ref, { ...this.deps, evict: (r) => this.forget(r) });
			this.rooms.set(name, room);
			this.live.add(room);
			room.ready = room.load(status);
		}
		room.refs++;
		if (room.unloadTimer) clearTimeout(room.unloadTimer);
		room.unloadTimer = null;
		try {
			// A load that never settles must not hold every later joiner: give up, forget the room, let them retry.
			await withTimeout(room.ready, this.deps.options.loadTimeoutMs, `loading ${name}`);
		} catch (e) {
			this.forget(room);
			this.release(room);
			throw e;
		}
		return room;
	}

	release(room: Room): void {
		if (--room.refs > 0 || this.closed) return;
		room.unloadTimer = setTimeout(() => void this.unload(room), this.deps.options.unloadDelayMs);
	}

	private async unload(room: Room): Promise<void> {
		room.unloadTimer = null;
		try {
			await room.quiesce();
		} catch (e) {
			this.deps.options.log.error(`[collab] ${room.name}: flushing before unload failed:`, e);
		}
		if (room.refs > 0 || this.closed) return; // someone joined meanwhile
		this.forget(room);
		this.live.delete(room);
		room.destroy();
	}

	private forget(room: Room): void {
		if (this.rooms.get(room.name) === room) this.rooms.delete(room.name);
	}

	/** Shutdown: stores what is pending in every room and frees them. Connections must be closed first. */
	async close(): Promise<void> {
		this.closed = true;
		const rooms = [...this.live];
		await Promise.all(
			rooms.map((r) =>
				r.ready
					.then(() => r.quiesce())
					.catch((e) => this.deps.options.log.error(`[collab] ${r.name}: flushing at shutdown failed:`, e))
			)
		);
		for (const r of rooms) r.destroy();
		this.rooms.clear();
		this.live.clear();
	}
}
