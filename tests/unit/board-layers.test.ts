import { describe, expect, it } from 'vitest';
import { boardLayersFor, defaultTarget } from '../../src/lib/board/layers';
import type { Membership } from '../../src/lib/domain/roles';

const EX = '0b7a4a3e-55b6-4c1e-9d7e-3f2a1b0c9d8e';
const agencies = [
	{ code: 'em', nameZh: '应急管理', nameEn: 'Emergency Management', color: '#D9480F' },
	{ code: 'fire', nameZh: '消防救援', nameEn: 'Fire Rescue', color: '#e03131' },
	{ code: 'police', nameZh: '公安', nameEn: 'Police', color: 'red' }
];
const writable = (m: Membership[], status: 'briefing' | 'running' | 'ended' = 'running') =>
	boardLayersFor(EX, agencies, m, status)
		.filter((l) => l.writable)
		.map((l) => l.key);

describe('board layers', () => {
	it('lists the common layer and one per agency with document names and safe colours', () => {
		const layers = boardLayersFor(EX, agencies, [{ role: 'player', agencyCode: 'fire' }], 'running');
		expect(layers.map((l) => [l.key, l.docName])).toEqual([
			['common', `exercise/${EX}/common`],
			['em', `exercise/${EX}/agency/em`],
			['fire', `exercise/${EX}/agency/fire`],
			['police', `exercise/${EX}/agency/police`]
		]);
		expect(layers[1].color).toBe('#d9480f');
		expect(layers[3].color).toBe('#868e96');
	});

	it('a player writes the common layer and their own agency only', () => {
		expect(writable([{ role: 'player', agencyCode: 'fire' }])).toEqual(['common', 'fire']);
		expect(writable([{ role: 'player', agencyCode: 'fire' }], 'ended')).toEqual([]);
	});

	it('commander and facilitator write every layer; evaluators and observers none', () => {
		expect(writable([{ role: 'commander', agencyCode: null }])).toEqual(['common', 'em', 'fire', 'police']);
		expect(writable([{ role: 'facilitator', agencyCode: null }], 'briefing')).toEqual(['common', 'em', 'fire', 'police']);
		expect(writable([{ role: 'evaluator', agencyCode: null }])).toEqual([]);
		expect(writable([{ role: 'observer', agencyCode: null }])).toEqual([]);
	});

	it('default drawing target is the own agency layer', () => {
		const l = boardLayersFor(EX, agencies, [{ role: 'player', agencyCode: 'police' }], 'running');
		expect(defaultTarget(l, 'police')).toBe('police');
		expect(defaultTarget(boardLayersFor(EX, agencies, [{ role: 'commander', agencyCode: null }], 'running'), null)).toBe('common');
		expect(defaultTarget(boardLayersFor(EX, agencies, [{ role: 'observer', agencyCode: null }], 'running'), null)).toBeNull();
	});
});
