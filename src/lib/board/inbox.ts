/**
 * The inject inbox on the board (pure): which delivered injects a person sees, newest first, which
 * are unread, who acknowledged (签收) what, and which acknowledgements the person may still give.
 *
 * Visibility mirrors the server's `GET /inbox` (server/injects/service.ts): someone who is only a
 * player sees the injects addressed to the agencies they play for; the commander, facilitator,
 * evaluators and observers see every delivered inject.
 */
import { can } from '../domain/permissions';
import { playerAgencies, type Membership } from '../domain/roles';
import type { ExerciseStatus } from '../domain/lifecycle';
import type { DeliveredInject, InjectAckView } from './control';

/** True for anyone holding a role besides player (they follow every agency's injects). */
export function seesAllInjects(memberships: readonly Membership[]): boolean {
	return memberships.some((m) => m.role !== 'player');
}

/** Newest delivery first; same instant: later scenario time, then inject id descending. */
export function newestFirst(a: DeliveredInject, b: DeliveredInject): number {
	return b.deliveredAt.localeCompare(a.deliveredAt) || b.scenarioMs - a.scenarioMs || b.id.localeCompare(a.id);
}

/** The delivered injects this person may read, newest first. */
export function visibleInjects(injects: readonly DeliveredInject[], memberships: readonly Membership[]): DeliveredInject[] {
	const all = seesAllInjects(memberships);
	const mine = new Set(playerAgencies(memberships));
	return injects.filter((i) => all || i.to.agencies.some((a) => mine.has(a))).sort(newestFirst);
}

export interface AgencyAck {
	agency: string;
	ack: InjectAckView | null;
}

/** Acknowledgement state of every target agency, in the inject's own order. */
export function ackStates(inject: DeliveredInject, acks: readonly InjectAckView[]): AgencyAck[] {
	return inject.to.agencies.map((agency) => ({ agency, ack: acks.find((a) => a.injectId === inject.id && a.agency === agency) ?? null }));
}

/**
 * Agencies the person may still acknowledge this inject for: those they play for that it was sent to,
 * not yet acknowledged, while the exercise is live (the server applies the same `log.ack` rule).
 */
export function ackableAgencies(inject: DeliveredInject, acks: readonly InjectAckView[], memberships: readonly Membership[], status: ExerciseStatus): string[] {
	return playerAgencies(memberships).filter(
		(agency) =>
			inject.to.agencies.includes(agency) &&
			!acks.some((a) => a.injectId === inject.id && a.agency === agency) &&
			can(memberships, 'log.ack', { status, agency })
	);
}

/** Whether every agency the person plays for among the targets has acknowledged (false if none). */
export function acknowledgedByMe(inject: DeliveredInject, acks: readonly InjectAckView[], memberships: readonly Membership[]): boolean {
	const mine = playerAgencies(memberships).filter((a) => inject.to.agencies.includes(a));
	return mine.length > 0 && mine.every((agency) => acks.some((a) => a.injectId === inject.id && a.agency === agency));
}

export function unreadIds(visible: readonly DeliveredInject[], read: ReadonlySet<string>): string[] {
	return visible.filter((i) => !read.has(i.id)).map((i) => i.id);
}

/**
 * Injects that arrived since the last look. `known` is null until the first full sync, which only
 * sets the baseline: what was delivered before the page opened is unread, but raises no alert.
 */
export function arrivals(known: ReadonlySet<string> | null, visible: readonly DeliveredInject[]): DeliveredInject[] {
	if (!known) return [];
	return visible.filter((i) => !known.has(i.id));
}

/** localStorage key of the ids a person has read in one exercise. */
export const readStoreKey = (userId: string, exerciseId: string) => `drillboard:inbox-read:${userId}:${exerciseId}`;
/** localStorage key of the alert-sound mute switch (one per browser). */
export const MUTE_KEY = 'drillboard:alert-muted';

export function parseReadIds(raw: string | null): Set<string> {
	if (!raw) return new Set();
	try {
		const v: unknown = JSON.parse(raw);
		return new Set(Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
	} catch {
		return new Set();
	}
}

/** At most `max` ids, the most recent kept (the stored list cannot grow without bound). */
export function serializeReadIds(ids: Iterable<string>, max = 2000): string {
	const list = [...ids];
	return JSON.stringify(list.slice(Math.max(0, list.length - max)));
}

/** First `max` characters on a word or sentence boundary where one is near, with an ellipsis. */
export function excerpt(text: string, max = 90): string {
	const t = text.replace(/\s+/g, ' ').trim();
	if ([...t].length <= max) return t;
	const cut = [...t].slice(0, max).join('');
	const soft = Math.max(cut.lastIndexOf('。'), cut.lastIndexOf('，'), cut.lastIndexOf('. '), cut.lastIndexOf(', '), cut.lastIndexOf(' '));
	return `${soft > max * 0.6 ? cut.slice(0, soft + 1).trimEnd() : cut}…`;
}

export type AckError = 'already' | 'forbidden' | 'notFound' | 'network' | 'failed';

/** What an acknowledgement response's status means for the person. */
export function ackErrorOf(status: number | null): AckError | null {
	if (status === null) return 'network';
	if (status >= 200 && status < 300) return null;
	if (status === 409) return 'already';
	if (status === 403) return 'forbidden';
	if (status === 404) return 'notFound';
	return 'failed';
}

/** The message text in the person's language (Chinese for zh-CN). */
export const localText = (t: { zh: string; en: string }, locale: string) => (locale === 'en' ? t.en : t.zh);
export const otherText = (t: { zh: string; en: string }, locale: string) => (locale === 'en' ? t.zh : t.en);
