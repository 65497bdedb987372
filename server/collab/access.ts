/**
 * Who may open which document (checked once, on upgrade) and whether a connection may write now
 * (checked per message against an exercise status that is re-read in the background, so ending an
 * exercise stops writes within about one polling interval without a query per message).
 */
import type { IncomingHttpHeaders } from 'node:http';
import { inArray } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { exercises } from '../../db/schema';
import { canReadDoc, canWriteDoc, docName, parseDocName, type BoardDoc } from '../../src/lib/board/docs';
import { isExerciseStatus, type ExerciseStatus } from '../../src/lib/domain/lifecycle';
import { playerAgencies, type Membership } from '../../src/lib/domain/roles';
import { tokenFromHeaders } from '../auth/resolve';
import { tokenFromAuthorization } from '../auth/sessions';
import type { AdmissionFacts, SessionChecks } from './admission';
import { withTimeout } from './options';
import { CLOSE } from './protocol';

export interface Principal {
	userId: string;
	/** The session the socket was admitted with: it is closed when that session ends. */
	sessionId: string;
	username: string;
	/** Written to the update log: the agency the person plays for here, null for other roles. */
	agency: string | null;
	memberships: Membership[];
}

/** An exercise's status and when it was read (`Date.now()` before the query), so an older reading never overwrites a newer one. */
export interface StatusReading {
	status: ExerciseStatus;
	at: number;
}

export type Admission =
	| { ok: true; name: string; doc: BoardDoc; principal: Principal; status: StatusReading }
	| { ok: false; code: number; reason: string };

const refuse = (code: number, reason: string): Admission => ({ ok: false, code, reason });

/**
 * Decides an upgrade for the document named `rawName` (null when the path could not be decoded).
 * Authentication comes first, so an anonymous caller learns nothing about which documents exist.
 */
export async function admit(sessions: SessionChecks, facts: AdmissionFacts, headers: IncomingHttpHeaders, rawName: string | null, allowedOrigins: readonly string[]): Promise<Admission> {
	const session = await sessions.check(tokenFromHeaders({ authorization: headers.authorization, cookie: headers.cookie }));
	if (!session) return refuse(CLOSE.unauthenticated, 'sign in first');
	// A cookie rides along with cross-site requests too; a bearer token cannot be forged by a page.
	const byCookie = !tokenFromAuthorization(headers.authorization);
	if (byCookie && !originAllowed(headers.origin, headers.host, allowedOrigins)) return refuse(CLOSE.forbidden, 'origin not allowed');
	const doc = rawName === null ? null : parseDocName(rawName);
	if (!doc) return refuse(CLOSE.forbidden, 'no such document');
	const cached = await facts.exercise(doc.exerciseId);
	const member = cached && (await facts.membershipsOf(doc.exerciseId, session.user.id, cached));
	if (!member) return refuse(CLOSE.forbidden, 'no such document');
	const { memberships } = member;
	const { status } = member.facts;
	if (!canReadDoc(memberships, doc, status.status)) return refuse(CLOSE.forbidden, 'no access to this document');
	if (doc.kind === 'agency' && !(await facts.agencyExists(doc.agency))) return refuse(CLOSE.forbidden, 'no such document');
	const agency = playerAgencies(memberships)[0] ?? null;
	return {
		ok: true,
		name: docName(doc),
		doc,
		principal: { userId: session.user.id, sessionId: session.sessionId, username: session.user.username, agency, memberships },
		status
	};
}

function originAllowed(origin: string | undefined, host: string | undefined, allowed: readonly string[]): boolean {
	if (!origin) return true; // not a browser
	if (allowed.includes(origin)) return true;
	try {
		return new URL(origin).host === host;
	} catch {
		return false;
	}
}

export function mayWriteDoc(principal: Principal, doc: BoardDoc, status: ExerciseStatus | null): boolean {
	return status !== null && canWriteDoc(principal.memberships, doc, status);
}

/**
 * Current status of every exercise that has a loaded room, refreshed by one query per interval for all
 * of them together. A vanished exercise reads as null (no writes).
 */
export class ExerciseStatuses {
	private readonly watched = new Map<string, { status: ExerciseStatus | null; at: number; refs: number }>();
	private timer: ReturnType<typeof setInterval> | null = null;
	private inflight: Promise<void> | null = null;

	constructor(
		private readonly db: Db,
		private readonly intervalMs: number,
		private readonly onError: (e: unknown) => void
	) {}

	status(exerciseId: string): ExerciseStatus | null {
		return this.watched.get(exerciseId)?.status ?? null;
	}

	/** Records a status read elsewhere (an upgrade's admission) for an exercise already watched, unless a newer one is known. */
	note(exerciseId: string, reading: StatusReading): void {
		const entry = this.watched.get(exerciseId);
		if (entry && reading.at >= entry.at) Object.assign(entry, reading);
	}

	/** Keeps the exercise's status fresh until the returned function is called; null: not known yet. */
	watch(exerciseId: string, current: StatusReading | null): () => void {
		const entry = this.watched.get(exerciseId) ?? { status: null, at: 0, refs: 0 };
		if (current && current.at >= entry.at) Object.assign(entry, current);
		entry.refs++;
		this.watched.set(exerciseId, entry);
		if (!this.timer) {
			this.timer = setInterval(() => this.refresh(), this.intervalMs);
			this.timer.unref();
		}
		if (!entry.status) this.refresh();
		let released = false;
		return () => {
			if (released) return;
			released = true;
			if (--entry.refs === 0) this.watched.delete(exerciseId);
			if (this.watched.size === 0) void this.stop();
		};
	}

	/** Stops polling; resolves once a query in flight has finished (before the database closes). */
	async stop(): Promise<void> {
		if (this.timer) clearInterval(this.timer);
		this.timer = null;
		await this.inflight;
	}

	private refresh(): void {
		// A query that never settles (see `loadTimeoutMs`) must not stop the refreshes for good.
		this.inflight ??= withTimeout(this.query(), Math.max(10_000, 5 * this.intervalMs), 're-reading exercise statuses')
			.catch((e) => this.onError(e))
			.finally(() => (this.inflight = null));
	}

	private async query(): Promise<void> {
		try {
			const ids = [...this.watched.keys()];
			if (!ids.length) return;
			const at = Date.now();
			const rows = await this.db.select({ id: exercises.id, status: exercises.status }).from(exercises).where(inArray(exercises.id, ids));
			const found = new Map(rows.map((r) => [r.id, r.status]));
			for (const id of ids) {
				const entry = this.watched.get(id);
				const status = found.get(id);
				if (entry && at >= entry.at) Object.assign(entry, { status: status !== undefined && isExerciseStatus(status) ? status : null, at });
			}
		} catch (e) {
			this.onError(e);
		}
	}
}
