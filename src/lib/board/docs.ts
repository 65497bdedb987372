/**
 * Names of the shared Yjs documents and who may read or write each. Pure: the browser uses it to name
 * providers and to know whether to offer editing; the collab server uses the same rules per message.
 *
 * - `exercise/<id>/common`        shared annotations: every player, the commander and the facilitator write.
 * - `exercise/<id>/agency/<code>` one agency's layer and task cards: that agency's players, the commander
 *                                 and the facilitator write.
 * - `exercise/<id>/control`       clock, delivered injects, mirrors: only the server writes.
 * Every member of the exercise reads all three kinds; the lifecycle state limits writing (see `can`).
 */
import type { ExerciseStatus } from '../domain/lifecycle';
import { can } from '../domain/permissions';
import type { Membership } from '../domain/roles';

export type BoardDoc =
	| { exerciseId: string; kind: 'common' }
	| { exerciseId: string; kind: 'control' }
	| { exerciseId: string; kind: 'agency'; agency: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Agency codes are short identifiers (`fire`, `em`); anything else cannot name a document. */
const AGENCY = /^[a-z0-9][a-z0-9_-]{0,31}$/;

export const commonDocName = (exerciseId: string) => `exercise/${exerciseId}/common`;
export const controlDocName = (exerciseId: string) => `exercise/${exerciseId}/control`;
export const agencyDocName = (exerciseId: string, agency: string) => `exercise/${exerciseId}/agency/${agency}`;

export function docName(doc: BoardDoc): string {
	if (doc.kind === 'agency') return agencyDocName(doc.exerciseId, doc.agency);
	return doc.kind === 'common' ? commonDocName(doc.exerciseId) : controlDocName(doc.exerciseId);
}

/** The document a name denotes, or null for anything that is not exactly one of the three forms. */
export function parseDocName(name: string): BoardDoc | null {
	const parts = name.split('/');
	if (parts[0] !== 'exercise' || !UUID.test(parts[1] ?? '')) return null;
	const exerciseId = parts[1];
	if (parts.length === 3 && parts[2] === 'common') return { exerciseId, kind: 'common' };
	if (parts.length === 3 && parts[2] === 'control') return { exerciseId, kind: 'control' };
	if (parts.length === 4 && parts[2] === 'agency' && AGENCY.test(parts[3])) return { exerciseId, kind: 'agency', agency: parts[3] };
	return null;
}

export function canReadDoc(memberships: readonly Membership[], _doc: BoardDoc, status: ExerciseStatus): boolean {
	return can(memberships, 'board.read', { status });
}

/** Whether the person may change the document now. The control document is never written by a client. */
export function canWriteDoc(memberships: readonly Membership[], doc: BoardDoc, status: ExerciseStatus): boolean {
	switch (doc.kind) {
		case 'control':
			return false;
		case 'common':
			return can(memberships, 'board.write.common', { status });
		case 'agency':
			return can(memberships, 'board.write.agency', { status, agency: doc.agency });
	}
}
