import { inArray } from 'drizzle-orm';
import { exercises } from '../db/schema';
import { putAck, putClock, putLogEntry, readAcks, readClock, readLog, type ControlClock } from '../src/lib/board/control';
import type { ExerciseStatus } from '../src/lib/domain/lifecycle';
import type { Collab } from './collab';
import { clockOf } from './clock';
import type { ClockCache } from './clock-cache';
import { listEntriesSince } from './commandlog';
import type { AppContext } from './context';
import { deliveriesOf, recordDueInjects } from './injects/delivery';
import { materializeDeliveries, materializedIds, materializeInitialLayers } from './injects/materialize';
import { PlanCache } from './injects/plan-cache';
import { acksOf } from './injects/service';

/** Exercises whose control document the scheduler keeps current. */
const WATCHED: ExerciseStatus[] = ['briefing', 'running', 'paused', 'ended'];

export interface SchedulerOptions {
	intervalMs?: number;
	/** Kept current with every live exercise's clock (for stamping board updates). */
	clocks?: ClockCache;
	/** Whether this process should run the schedule now (one leader among several processes). */
	isLeader?: () => Promise<boolean>;
	log?: Pick<Console, 'error' | 'info'>;
}

export interface Scheduler {
	/** One pass: deliver what fell due, keep clocks current. Exposed for tests. */
	tick(): Promise<void>;
	stop(): Promise<void>;
}

/**
 * The exercise scheduler: every tick it records the injects that fell due (exactly once, by the
 * database key), carries them out on the shared documents and mirrors each exercise's clock into its
 * control document. It also wires the event mirror: log entries, acknowledgements and injects
 * delivered by hand reach the control documents as they happen. On start it reconciles what a crash
 * may have left half-done.
 */
export function startScheduler(ctx: AppContext, collab: Collab, opts: SchedulerOptions = {}): Scheduler {
	const db = ctx.database.db;
	const log = opts.log ?? console;
	const isLeader = opts.isLeader ?? (async () => true);
	const lastClock = new Map<string, string>();
	/** Scenario whose initial layers this process has put on each exercise's board. */
	const layersDone = new Map<string, string>();
	const plans = new PlanCache();
	const packageOf = async (exerciseId: string) => (await plans.get(db, exerciseId))?.scenario.package ?? null;
	const mirrorFailed = (what: string) => (e: unknown) => log.error(`[scheduler] mirroring ${what} failed:`, e);

	const onLog = (entry: Parameters<typeof putLogEntry>[1]) => void collab.writeControl(entry.exerciseId, (d) => putLogEntry(d, entry)).catch(mirrorFailed('a log entry'));
	const onAck = (exerciseId: string, ack: Parameters<typeof putAck>[1]) => void collab.writeControl(exerciseId, (d) => putAck(d, ack)).catch(mirrorFailed('an acknowledgement'));
	const onDelivered = (exerciseId: string, rows: Awaited<ReturnType<typeof recordDueInjects>>) =>
		void packageOf(exerciseId)
			.then((pkg) => materializeDeliveries(collab, exerciseId, pkg, rows))
			.catch(mirrorFailed('a delivery'));
	ctx.events.on('logAppended', onLog);
	ctx.events.on('injectAcknowledged', onAck);
	ctx.events.on('injectsDelivered', onDelivered);

	async function syncClock(row: typeof exercises.$inferSelect) {
		opts.clocks?.set(row.id, clockOf(row));
		const c: ControlClock = { status: row.status as ExerciseStatus, ...clockOf(row) };
		const key = JSON.stringify(c);
		if (lastClock.get(row.id) === key) return;
		await collab.writeControl(row.id, (d) => {
			const current = readClock(d);
			if (JSON.stringify(current) !== key) putClock(d, c);
		});
		lastClock.set(row.id, key);
	}

	/** Sets up the board and redoes what a crash between a database write and its document write left undone. */
	async function reconcile(exerciseId: string) {
		const done = await materializedIds(collab, exerciseId);
		const pending = (await deliveriesOf(db, exerciseId)).filter((d) => d.action === 'deliver' && !done.has(d.injectId));
		if (pending.length) await materializeDeliveries(collab, exerciseId, await packageOf(exerciseId), pending);
		let mirroredSeqs = new Set<number>();
		let mirroredAcks = new Set<string>();
		await collab.writeControl(exerciseId, (d) => {
			mirroredSeqs = new Set(readLog(d).map((e) => e.seq));
			mirroredAcks = new Set(readAcks(d).map((a) => `${a.injectId}|${a.agency}`));
		});
		const entries = (await listEntriesSince(db, exerciseId, 0)).filter((e) => !mirroredSeqs.has(e.seq));
		const acks = (await acksOf(db, exerciseId)).filter((a) => !mirroredAcks.has(`${a.injectId}|${a.agencyCode}`));
		if (!entries.length && !acks.length) return;
		await collab.writeControl(exerciseId, (d) => {
			for (const e of entries) putLogEntry(d, e);
			for (const a of acks) putAck(d, { injectId: a.injectId, agency: a.agencyCode, userId: a.userId, at: a.at.toISOString(), scenarioMs: a.scenarioMs });
		});
	}

	let running: Promise<void> | null = null;
	let reconciled = false;
	async function pass() {
		if (!(await isLeader())) {
			reconciled = false;
			return;
		}
		const rows = await db.select().from(exercises).where(inArray(exercises.status, WATCHED));
		plans.retain(rows.map((r) => r.id));
		for (const row of rows) {
			try {
				if (!reconciled) await reconcile(row.id);
				await syncClock(row);
				const planned = await plans.get(db, row.id);
				const scenario = planned?.scenario;
				// Unannounced (不打招呼): the scenario's map and its id stay off the board until the start.
				const secret = scenario?.unannounced && (row.status === 'draft' || row.status === 'briefing');
				if (scenario && !secret && layersDone.get(row.id) !== scenario.scenarioId) {
					await materializeInitialLayers(collab, row.id, scenario.package);
					layersDone.set(row.id, scenario.scenarioId);
				}
				const delivered = await recordDueInjects(db, row.id, Date.now(), planned);
				if (delivered.length) await materializeDeliveries(collab, row.id, scenario?.package ?? null, delivered);
			} catch (e) {
				log.error(`[scheduler] exercise ${row.id}:`, e);
			}
		}
		reconciled = true;
	}
	// A failed pass (e.g. the database unreachable) is logged and retried next tick; it must never
	// become an unhandled rejection, which would end the process.
	const tick = () =>
		(running ??= pass()
			.catch((e) => log.error('[scheduler] pass failed, retrying next tick:', e))
			.finally(() => (running = null)));
	const timer = setInterval(() => void tick(), opts.intervalMs ?? 1000);
	timer.unref();
	void tick();

	return {
		tick,
		async stop() {
			clearInterval(timer);
			ctx.events.off('logAppended', onLog);
			ctx.events.off('injectAcknowledged', onAck);
			ctx.events.off('injectsDelivered', onDelivered);
			await running;
		}
	};
}
