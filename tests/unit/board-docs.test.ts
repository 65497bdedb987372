import { describe, expect, it } from 'vitest';
import { agencyDocName, canReadDoc, canWriteDoc, commonDocName, controlDocName, docName, parseDocName, type BoardDoc } from '../../src/lib/board/docs';
import type { ExerciseStatus } from '../../src/lib/domain/lifecycle';
import type { Membership } from '../../src/lib/domain/roles';

const id = '0b5e3c1e-8f7a-4c2d-9b1e-2f3a4b5c6d7e';

describe('document names', () => {
	it('round-trips the three kinds', () => {
		const docs: BoardDoc[] = [
			{ exerciseId: id, kind: 'common' },
			{ exerciseId: id, kind: 'control' },
			{ exerciseId: id, kind: 'agency', agency: 'fire' }
		];
		for (const d of docs) expect(parseDocName(docName(d))).toEqual(d);
		expect(commonDocName(id)).toBe(`exercise/${id}/common`);
		expect(controlDocName(id)).toBe(`exercise/${id}/control`);
		expect(agencyDocName(id, 'fire')).toBe(`exercise/${id}/agency/fire`);
	});

	it.each([
		'',
		'exercise',
		`exercise/${id}`,
		`exercise/${id}/`,
		`exercise/${id}/common/`,
		`exercise/${id}/common/x`,
		`exercise/${id}/agency`,
		`exercise/${id}/agency/`,
		`exercise/${id}/agency/fire/x`,
		`exercise/${id}/agency/Fire`,
		`exercise/${id}/agency/../control`,
		`exercise/${id}/agency/${'a'.repeat(33)}`,
		`exercise/${id}/secret`,
		`exercise/${id.toUpperCase()}/common`,
		'exercise/not-a-uuid/common',
		`/exercise/${id}/common`,
		`exercises/${id}/common`
	])('rejects %j', (name) => {
		expect(parseDocName(name)).toBeNull();
	});
});

const player = (agency: string): Membership => ({ role: 'player', agencyCode: agency });
const role = (r: Membership['role']): Membership => ({ role: r, agencyCode: null });
const common: BoardDoc = { exerciseId: id, kind: 'common' };
const control: BoardDoc = { exerciseId: id, kind: 'control' };
const fireDoc: BoardDoc = { exerciseId: id, kind: 'agency', agency: 'fire' };

describe('document permissions', () => {
	it('lets every member read every document, in every state', () => {
		for (const m of [player('fire'), role('commander'), role('facilitator'), role('evaluator'), role('observer')]) {
			for (const status of ['draft', 'briefing', 'running', 'ended', 'reviewed'] as ExerciseStatus[]) {
				for (const d of [common, control, fireDoc]) expect(canReadDoc([m], d, status)).toBe(true);
			}
		}
		expect(canReadDoc([], common, 'running')).toBe(false);
	});

	it('lets players write the common document and their own agency only, while live', () => {
		expect(canWriteDoc([player('police')], common, 'running')).toBe(true);
		expect(canWriteDoc([player('fire')], fireDoc, 'running')).toBe(true);
		expect(canWriteDoc([player('police')], fireDoc, 'running')).toBe(false);
		expect(canWriteDoc([player('fire')], fireDoc, 'draft')).toBe(false);
		expect(canWriteDoc([player('fire')], fireDoc, 'ended')).toBe(false);
		expect(canWriteDoc([player('fire')], common, 'ended')).toBe(false);
	});

	it('lets the commander and facilitator write every agency and the common document', () => {
		for (const m of [role('commander'), role('facilitator')]) {
			expect(canWriteDoc([m], fireDoc, 'running')).toBe(true);
			expect(canWriteDoc([m], common, 'draft')).toBe(true);
			expect(canWriteDoc([m], fireDoc, 'ended')).toBe(false);
		}
	});

	it('keeps observers and evaluators read-only, and the control document server-only', () => {
		for (const m of [role('observer'), role('evaluator')]) {
			expect(canWriteDoc([m], common, 'running')).toBe(false);
			expect(canWriteDoc([m], fireDoc, 'running')).toBe(false);
		}
		for (const m of [role('facilitator'), role('commander'), player('fire')]) expect(canWriteDoc([m], control, 'running')).toBe(false);
	});

	it('combines roles: a person holding several gets the widest right', () => {
		expect(canWriteDoc([role('observer'), player('fire')], fireDoc, 'running')).toBe(true);
	});
});
