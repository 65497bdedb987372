/**
 * What admission needs besides the session, shared by every upgrade to an exercise's documents.
 * A join storm (hundreds of clients opening one board at once) would otherwise run the same status,
 * membership and agency queries once per client; on PGlite such a backlog runs back to back without
 * yielding and stalls the event loop. So the facts are read once per exercise and kept briefly, and
 * admissions are run a few at a time with a yield between them.
 *
 * Staleness: a fact is at most `ttlMs` old, and `invalidate` (called on the in-process events for
 * status changes) drops it at once. A person missing from the cached members is looked up afresh
 * before being refused, so a new member is never refused on stale facts. Sessions are never cached,
 * but the upgrades that arrive together have their sessions checked with one read (SessionChecks).
 */
import { eq } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { validateSessionTokens, type ValidSession } from '../auth/sessions';
import { agencies, exerciseMembers, exercises } from '../../db/schema';
import { isExerciseStatus } from '../../src/lib/domain/lifecycle';
import type { Membership } from '../../src/lib/domain/roles';
import type { StatusReading } from './access';

export interface ExerciseFacts {
	status: StatusReading;
	/** Memberships by user id. */
	members: Map<string, Membership[]>;
}

/** Cached exercises beyond which expired entries are swept. */
const SWEEP_ABOVE = 100;

interface Cached<T> {
	until: number;
	value: Promise<T>;
}

export class AdmissionFacts {
	private readonly exercises = new Map<string, Cached<ExerciseFacts | null>>();
	private agencyCodes: Cached<Set<string>> | null = null;

	constructor(
		private readonly db: Db,
		private readonly ttlMs: number
	) {}

	/** The exercise's status and members; null when there is no such exercise (or its status is unknown). */
	exercise(exerciseId: string, fresh = false): Promise<ExerciseFacts | null> {
		const hit = this.exercises.get(exerciseId);
		if (hit && !fresh && hit.until > Date.now()) return hit.value;
		this.sweep();
		const value = this.readExercise(exerciseId);
		const entry = { until: Date.now() + this.ttlMs, value };
		this.exercises.set(exerciseId, entry);
		// A failed read is not kept: the next upgrade tries again.
		value.catch(() => this.exercises.get(exerciseId) === entry && this.exercises.delete(exerciseId));
		return value;
	}

	/** The memberships of one person, re-reading the exercise once when the cached facts do not list them. */
	async membershipsOf(exerciseId: string, userId: string, facts: ExerciseFacts): Promise<{ facts: ExerciseFacts; memberships: Membership[] } | null> {
		const cached = facts.members.get(userId);
		if (cached) return { facts, memberships: cached };
		const again = await this.exercise(exerciseId, true);
		return again && { facts: again, memberships: again.members.get(userId) ?? [] };
	}

	agencyExists(code: string): Promise<boolean> {
		if (!this.agencyCodes || this.agencyCodes.until <= Date.now()) {
			const value = this.db
				.select({ code: agencies.code })
				.from(agencies)
				.then((rows) => new Set(rows.map((r) => r.code)));
			const entry = { until: Date.now() + this.ttlMs, value };
			this.agencyCodes = entry;
			value.catch(() => this.agencyCodes === entry && (this.agencyCodes = null));
		}
		return this.agencyCodes.value.then((codes) => codes.has(code));
	}

	/** Drops what is known about the exercise (its status or members changed). */
	invalidate(exerciseId: string): void {
		this.exercises.delete(exerciseId);
	}

	/** Drops expired entries once there are many, so names of exercises no longer opened do not pile up. */
	private sweep(): void {
		if (this.exercises.size < SWEEP_ABOVE) return;
		const now = Date.now();
		for (const [id, entry] of this.exercises) if (entry.until <= now) this.exercises.delete(id);
	}

	private async readExercise(exerciseId: string): Promise<ExerciseFacts | null> {
		const at = Date.now();
		const [exercise] = await this.db.select({ status: exercises.status }).from(exercises).where(eq(exercises.id, exerciseId)).limit(1);
		if (!exercise || !isExerciseStatus(exercise.status)) return null;
		const rows = await this.db
			.select({ userId: exerciseMembers.userId, role: exerciseMembers.role, agencyCode: exerciseMembers.agencyCode })
			.from(exerciseMembers)
			.where(eq(exerciseMembers.exerciseId, exerciseId));
		const members = new Map<string, Membership[]>();
		for (const { userId, ...m } of rows) members.set(userId, [...(members.get(userId) ?? []), m as Membership]);
		return { status: { status: exercise.status, at }, members };
	}
}

/**
 * Runs tasks at most `concurrency` at a time and starts each next one from `setImmediate`, so that
 * socket I/O (sync replies to those already admitted) runs between admissions.
 */
export class YieldingQueue {
	private running = 0;
	private readonly waiting: (() => void)[] = [];

	constructor(private readonly concurrency: number) {}

	run<T>(task: () => Promise<T>): Promise<T> {
		const turn = new Promise<void>((resolve) => this.waiting.push(resolve));
		this.next();
		return turn.then(task).finally(() => {
			this.running--;
			setImmediate(() => this.next());
		});
	}

	private next(): void {
		while (this.running < this.concurrency && this.waiting.length) {
			this.running++;
			this.waiting.shift()?.();
		}
	}
}

/**
 * Session checks of upgrades that arrive close together, made with one read (validateSessionTokens).
 * A join storm's upgrades trickle in over many turns of the event loop, one client after another, so
 * a check waits up to `windowMs` for others to join its read; `maxBatch` waiting ones start it at once.
 * Checked one per turn, 200 joiners made ≈ 150 reads and kept PGlite busy through the storm.
 */
export class SessionChecks {
	private waiting: { token: string | null; resolve: (s: ValidSession | null) => void; reject: (e: unknown) => void }[] = [];
	private timer: ReturnType<typeof setTimeout> | null = null;

	constructor(
		private readonly db: Db,
		private readonly windowMs: number,
		private readonly maxBatch: number
	) {}

	check(token: string | null): Promise<ValidSession | null> {
		return new Promise((resolve, reject) => {
			this.waiting.push({ token, resolve, reject });
			if (this.waiting.length >= this.maxBatch) void this.flush();
			else if (!this.timer) this.timer = setTimeout(() => void this.flush(), this.windowMs);
		});
	}

	private async flush(): Promise<void> {
		if (this.timer) clearTimeout(this.timer);
		this.timer = null;
		const batch = this.waiting.splice(0);
		try {
			const sessions = await validateSessionTokens(this.db, batch.map((b) => b.token));
			batch.forEach((b, i) => b.resolve(sessions[i]));
		} catch (e) {
			for (const b of batch) b.reject(e);
		}
	}
}
