/**
 * Presence on the board through Yjs awareness: who is online (by agency and role), where their
 * pointer is and which feature they have selected. The awareness state of a client is
 * `{ user, pointer, selection }`; other fields are ignored, and a malformed state (any client can
 * send one) is skipped.
 */
import type { ExerciseRole } from '../domain/roles';
import { EXERCISE_ROLES } from '../domain/roles';

export interface PresenceUser {
	id: string;
	name: string;
	/** The person's most significant role in this exercise. */
	role: ExerciseRole;
	agency: string | null;
}

export interface PresenceState {
	user: PresenceUser;
	/** Pointer over the map, [lng, lat]; null when off the map. */
	pointer: [number, number] | null;
	/** The feature the person has selected (board layer key and feature id); null for none. */
	selection: SelectedFeature | null;
}

export interface SelectedFeature {
	layer: string;
	id: string;
}

/** Pointer updates are sent at most this often (5 Hz). */
export const POINTER_INTERVAL_MS = 200;

/** The role that best describes a person holding several (a facilitator who also plays is shown as facilitator). */
export function primaryRole(roles: readonly ExerciseRole[]): ExerciseRole {
	for (const r of EXERCISE_ROLES) if (roles.includes(r)) return r;
	return 'observer';
}

export function parsePresence(raw: unknown): PresenceState | null {
	if (!raw || typeof raw !== 'object') return null;
	const u = (raw as { user?: unknown }).user as Partial<PresenceUser> | undefined;
	if (!u || typeof u !== 'object' || typeof u.id !== 'string' || typeof u.name !== 'string') return null;
	if (!(EXERCISE_ROLES as readonly string[]).includes(u.role as string)) return null;
	const agency = typeof u.agency === 'string' ? u.agency : null;
	const p = (raw as { pointer?: unknown }).pointer;
	const pointer =
		Array.isArray(p) && p.length === 2 && p.every((x) => typeof x === 'number' && Number.isFinite(x)) ? ([p[0], p[1]] as [number, number]) : null;
	return { user: { id: u.id.slice(0, 64), name: u.name.slice(0, 80), role: u.role as ExerciseRole, agency }, pointer, selection: parseSelection((raw as { selection?: unknown }).selection) };
}

function parseSelection(raw: unknown): SelectedFeature | null {
	if (!raw || typeof raw !== 'object') return null;
	const { layer, id } = raw as { layer?: unknown; id?: unknown };
	const fits = (v: unknown, max: number): v is string => typeof v === 'string' && v.length > 0 && v.length <= max;
	return fits(layer, 64) && fits(id, 128) ? { layer, id } : null;
}

export interface OnlineGroup {
	/** Agency code, or null for people without one (facilitators, evaluators, observers). */
	agency: string | null;
	users: PresenceUser[];
}

/**
 * Who is online, one entry per person (several tabs count once), grouped by agency in the given
 * order; people without an agency come last.
 */
export function onlineByAgency(states: Iterable<unknown>, agencyOrder: readonly string[]): OnlineGroup[] {
	const people = new Map<string, PresenceUser>();
	for (const raw of states) {
		const s = parsePresence(raw);
		if (s && !people.has(s.user.id)) people.set(s.user.id, s.user);
	}
	const groups = new Map<string | null, PresenceUser[]>();
	for (const u of people.values()) {
		const list = groups.get(u.agency) ?? [];
		list.push(u);
		groups.set(u.agency, list);
	}
	const roleRank = (r: ExerciseRole) => EXERCISE_ROLES.indexOf(r);
	const rank = (a: string | null) => (a === null ? Infinity : agencyOrder.indexOf(a) === -1 ? agencyOrder.length : agencyOrder.indexOf(a));
	return [...groups.entries()]
		.sort(([a], [b]) => rank(a) - rank(b) || String(a).localeCompare(String(b)))
		.map(([agency, users]) => ({ agency, users: users.sort((x, y) => roleRank(x.role) - roleRank(y.role) || x.name.localeCompare(y.name)) }));
}

/** Remote pointers to draw: every other client's pointer that is on the map. */
export function remotePointers(states: Map<number, unknown>, selfClientId: number): { clientId: number; user: PresenceUser; at: [number, number] }[] {
	const out: { clientId: number; user: PresenceUser; at: [number, number] }[] = [];
	for (const [clientId, raw] of states) {
		if (clientId === selfClientId) continue;
		const s = parsePresence(raw);
		if (s?.pointer) out.push({ clientId, user: s.user, at: s.pointer });
	}
	return out;
}

/** What other people have selected: one entry per person and feature (several tabs count once). */
export function remoteSelections(states: Map<number, unknown>, selfClientId: number): { user: PresenceUser; selection: SelectedFeature }[] {
	const out = new Map<string, { user: PresenceUser; selection: SelectedFeature }>();
	for (const [clientId, raw] of states) {
		if (clientId === selfClientId) continue;
		const s = parsePresence(raw);
		if (s?.selection) out.set(JSON.stringify([s.user.id, s.selection.layer, s.selection.id]), { user: s.user, selection: s.selection });
	}
	return [...out.values()];
}

/**
 * Calls `fn` at most once per `ms` with the latest arguments (leading and trailing call);
 * `flush` sends a pending call now, `cancel` drops it.
 */
export function throttle<A extends unknown[]>(fn: (...args: A) => void, ms: number, clock: () => number = Date.now) {
	let last = -Infinity;
	let timer: ReturnType<typeof setTimeout> | null = null;
	let pending: A | null = null;
	const run = () => {
		timer = null;
		if (pending) {
			const args = pending;
			pending = null;
			last = clock();
			fn(...args);
		}
	};
	const call = (...args: A) => {
		pending = args;
		const wait = last + ms - clock();
		if (wait <= 0 && !timer) run();
		else if (!timer) timer = setTimeout(run, Math.max(0, wait));
	};
	call.flush = () => {
		if (timer) clearTimeout(timer);
		run();
	};
	call.cancel = () => {
		if (timer) clearTimeout(timer);
		timer = null;
		pending = null;
	};
	return call;
}
