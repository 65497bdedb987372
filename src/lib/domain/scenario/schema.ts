import { z } from 'zod';
import { FEATURE_KINDS } from '../../board/palette';
import { parseScenarioTime } from '../clock';

/**
 * Scenario package format, version 1 (documented in docs/scenario-format.md). Field names follow the
 * HSEEP MSEL (number, scenario time, type, delivery method, simulated sender, recipients, message,
 * expected action, objective/capability, evaluator notes) with Chinese practice's additions.
 */
export const SCENARIO_FORMAT = 'drillboard-scenario';
export const SCENARIO_VERSION = 1;

const MAX_TEXT = 4000;
const id = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'Letters, digits, dot, dash, underscore; at most 64.');
const agencyCode = z.string().regex(/^[a-z][a-z0-9_]{0,31}$/, 'An agency code such as fire.');
export const bilingual = z.object({ zh: z.string().trim().min(1, 'Required.').max(MAX_TEXT), en: z.string().trim().min(1, 'Required.').max(MAX_TEXT) }).strict();
const optionalBilingual = bilingual.optional();
export const scenarioTime = z.string().refine((s) => parseScenarioTime(s) !== null, 'A scenario time such as T+00:45.');
const lonLat = z.tuple([z.number().min(-180).max(180), z.number().min(-90).max(90)]);

export const HAZARDS = ['dam_break', 'waterlogging', 'hazmat_explosion', 'mine_gas_explosion', 'mine_water_inrush', 'earthquake_landslide', 'highrise_fire', 'forest_fire'] as const;
export const INJECT_TYPES = ['information', 'event', 'media', 'resource_problem', 'equipment_fault'] as const;
export const DELIVERY_METHODS = ['phone', 'radio', 'message', 'video', 'sensor_alarm', 'media', 'in_person'] as const;
export const TARGET_ROLES = ['commander', 'player'] as const;
export const MONITORING_KINDS = ['camera', 'water_level', 'rainfall', 'gas_concentration', 'tank_temperature', 'tank_pressure', 'crowd_density', 'water_depth'] as const;
export const MONITORING_FAULTS = ['offline', 'frozen', 'transmission_lost'] as const;
export const CAPABILITY_ELEMENTS = ['planning', 'organisation', 'equipment', 'training', 'exercise'] as const;

/** A GeoJSON feature as the board draws it (kinds from the incident-command palette). */
const geometry = z.discriminatedUnion('type', [
	z.object({ type: z.literal('Point'), coordinates: lonLat }),
	z.object({ type: z.literal('LineString'), coordinates: z.array(lonLat).min(2).max(5000) }),
	z.object({ type: z.literal('Polygon'), coordinates: z.array(z.array(lonLat).min(4).max(5000)).min(1).max(50) })
]);
const featureFields = {
	/** A kind from the board's incident-command palette. */
	kind: z.enum(FEATURE_KINDS),
	geometry,
	radius: z.number().positive().max(100_000).optional(),
	label: bilingual,
	notes: optionalBilingual,
	status: z.enum(['planned', 'active', 'resolved'])
};
export const mapFeature = z.object({ ...featureFields, status: featureFields.status.default('active') }).strict();
/** An update names only what changes; no defaults, so an update never silently reactivates a feature. */
const featureChange = z.object(featureFields).partial().strict();

const mapEffect = z.discriminatedUnion('op', [
	z.object({ op: z.literal('add'), featureId: id, layer: z.union([z.literal('common'), agencyCode]), feature: mapFeature }).strict(),
	z.object({ op: z.literal('update'), featureId: id, layer: z.union([z.literal('common'), agencyCode]), feature: featureChange }).strict(),
	z.object({ op: z.literal('remove'), featureId: id, layer: z.union([z.literal('common'), agencyCode]) }).strict()
]);

const monitoringEffect = z
	.object({
		point: id,
		/** A new reading, continuing from the curve at the inject's time. */
		value: z.number().finite().optional(),
		fault: z.enum(MONITORING_FAULTS).nullable().optional()
	})
	.strict()
	.refine((e) => e.value !== undefined || e.fault !== undefined, 'Give a value or a fault.');

const contingency = z
	.object({
		/** Fires when this condition holds at the deadline. */
		condition: z.discriminatedUnion('type', [
			z.object({ type: z.literal('not_acknowledged'), inject: id, agency: agencyCode }).strict(),
			z.object({ type: z.literal('no_report'), agency: agencyCode }).strict(),
			z.object({ type: z.literal('point_not_viewed'), point: id, agency: agencyCode }).strict()
		]),
		deadline: scenarioTime
	})
	.strict();

const injectBody = {
	id,
	type: z.enum(INJECT_TYPES),
	delivery: z.enum(DELIVERY_METHODS),
	from: bilingual,
	to: z.object({ agencies: z.array(agencyCode).min(1).max(20), roles: z.array(z.enum(TARGET_ROLES)).default(['commander', 'player']) }).strict(),
	message: bilingual,
	image: z.string().max(300).optional(),
	expectedActions: z.array(bilingual).max(20).default([]),
	objective: id.optional(),
	capability: z.string().max(120).optional(),
	mapEffects: z.array(mapEffect).max(50).default([]),
	monitoringEffects: z.array(monitoringEffect).max(20).default([]),
	tasks: z.array(z.object({ agency: agencyCode, template: id }).strict()).max(20).default([]),
	evaluatorNotes: optionalBilingual,
	dependsOn: z.array(id).max(20).default([])
};

export const mselInject = z.object({ ...injectBody, at: scenarioTime, contingency: contingency.optional() }).strict();
export const randomInject = z
	.object({ ...injectBody, window: z.object({ from: scenarioTime, to: scenarioTime }).strict() })
	.strict()
	.refine((r) => (parseScenarioTime(r.window.from) ?? 0) <= (parseScenarioTime(r.window.to) ?? 0), { message: 'The window ends before it starts.', path: ['window'] });

export const monitoringPoint = z
	.object({
		id,
		kind: z.enum(MONITORING_KINDS),
		name: bilingual,
		position: lonLat,
		unit: z.string().max(20).optional(),
		thresholds: z.object({ warning: z.number().finite().optional(), alarm: z.number().finite().optional() }).strict().optional(),
		/** The curve: [scenario minute, value], minutes ascending; readings interpolate between points. */
		readings: z.array(z.tuple([z.number().min(0), z.number().finite()])).max(2000).default([]),
		image: z.string().max(300).optional()
	})
	.strict();

export const taskTemplate = z
	.object({
		id,
		agency: agencyCode,
		title: bilingual,
		description: optionalBilingual,
		priority: z.enum(['low', 'normal', 'high', 'urgent']).default('normal'),
		/** Due this many scenario minutes after the card is spawned. */
		dueAfterMinutes: z.number().int().min(1).max(24 * 60).optional(),
		checklist: z.array(bilingual).max(30).default([])
	})
	.strict();

export const objective = z
	.object({
		id,
		title: bilingual,
		capability: z.string().min(1).max(120),
		targets: z
			.array(z.object({ id, text: bilingual, criticalTasks: z.array(bilingual).max(30).default([]) }).strict())
			.min(1)
			.max(30)
	})
	.strict();

export const scenarioPackage = z
	.object({
		format: z.literal(SCENARIO_FORMAT),
		version: z.literal(SCENARIO_VERSION),
		id,
		meta: z
			.object({
				title: bilingual,
				description: bilingual,
				hazard: z.enum(HAZARDS),
				objectives: z.array(objective).min(1).max(30)
			})
			.strict(),
		map: z
			.object({
				center: lonLat,
				zoom: z.number().min(0).max(22),
				layers: z
					.array(z.object({ id, name: bilingual, features: z.array(z.object({ id, feature: mapFeature }).strict()).max(5000) }).strict())
					.max(20)
					.default([])
			})
			.strict(),
		agencies: z.array(agencyCode).min(1).max(30),
		reporting: z
			.object({
				phoneMinutes: z.number().int().min(1).max(24 * 60).default(30),
				writtenMinutes: z.number().int().min(1).max(24 * 60).default(60),
				ackMinutes: z.number().int().min(1).max(24 * 60).default(5)
			})
			.strict()
			.default({ phoneMinutes: 30, writtenMinutes: 60, ackMinutes: 5 }),
		monitoringPoints: z.array(monitoringPoint).max(200).default([]),
		injects: z.array(mselInject).max(500),
		randomPool: z.array(randomInject).max(200).default([]),
		taskTemplates: z.array(taskTemplate).max(500).default([]),
		evaluatorNotes: optionalBilingual
	})
	.strict();

export type ScenarioPackage = z.output<typeof scenarioPackage>;
export type MselInject = z.output<typeof mselInject>;
export type RandomInject = z.output<typeof randomInject>;
export type MonitoringPoint = z.output<typeof monitoringPoint>;
export type TaskTemplate = z.output<typeof taskTemplate>;
