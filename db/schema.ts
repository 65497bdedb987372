import { sql } from 'drizzle-orm';
import {
	bigint,
	bigserial,
	boolean,
	customType,
	doublePrecision,
	index,
	integer,
	jsonb,
	pgTable,
	primaryKey,
	text,
	timestamp,
	uniqueIndex
} from 'drizzle-orm/pg-core';
import type { TaskFacts } from '../src/lib/domain/review/facts';

/** drizzle 0.45 has no bytea helper; Yjs updates and session hashes are raw bytes. */
export const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({
	dataType: () => 'bytea',
	fromDriver: (v) => (v instanceof Uint8Array ? new Uint8Array(v.buffer, v.byteOffset, v.byteLength) : v)
});

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();

export const agencies = pgTable('agencies', {
	code: text('code').primaryKey(),
	nameZh: text('name_zh').notNull(),
	nameEn: text('name_en').notNull(),
	color: text('color').notNull(),
	sortOrder: integer('sort_order').notNull().default(0)
});

export const users = pgTable(
	'users',
	{
		id: text('id').primaryKey(),
		username: text('username').notNull(),
		displayName: text('display_name').notNull(),
		passwordHash: text('password_hash').notNull(),
		agencyCode: text('agency_code').references(() => agencies.code),
		systemRole: text('system_role').notNull().default('member'),
		active: boolean('active').notNull().default(true),
		locale: text('locale').notNull().default('zh-CN'),
		createdAt: createdAt()
	},
	(t) => [uniqueIndex('users_username_lower').on(sql`lower(${t.username})`)]
);

export const sessions = pgTable(
	'sessions',
	{
		id: text('id').primaryKey(),
		userId: text('user_id')
			.notNull()
			.references(() => users.id, { onDelete: 'cascade' }),
		secretHash: bytea('secret_hash').notNull(),
		createdAt: createdAt(),
		lastVerifiedAt: timestamp('last_verified_at', { withTimezone: true }).notNull().defaultNow()
	},
	(t) => [index('sessions_user').on(t.userId)]
);

export const exercises = pgTable('exercises', {
	id: text('id').primaryKey(),
	title: text('title').notNull(),
	description: text('description').notNull().default(''),
	status: text('status').notNull().default('draft'),
	/** Exercise clock anchor (see src/lib/domain/clock.ts): scenario ms at a wall instant, run state, speed. */
	clockRunning: boolean('clock_running').notNull().default(false),
	clockSpeed: doublePrecision('clock_speed').notNull().default(1),
	clockAnchorWall: timestamp('clock_anchor_wall', { withTimezone: true }).notNull().defaultNow(),
	clockAnchorMs: bigint('clock_anchor_ms', { mode: 'number' }).notNull().default(0),
	createdBy: text('created_by')
		.notNull()
		.references(() => users.id),
	createdAt: createdAt(),
	updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow()
});

export const exerciseMembers = pgTable(
	'exercise_members',
	{
		exerciseId: text('exercise_id')
			.notNull()
			.references(() => exercises.id, { onDelete: 'cascade' }),
		userId: text('user_id')
			.notNull()
			.references(() => users.id),
		role: text('role').notNull(),
		/** Set for players: the agency they act for. */
		agencyCode: text('agency_code').references(() => agencies.code),
		addedAt: createdAt()
	},
	(t) => [primaryKey({ columns: [t.exerciseId, t.userId, t.role] }), index('members_user').on(t.userId)]
);

/** Audit trail of lifecycle transitions. */
export const exerciseTransitions = pgTable('exercise_transitions', {
	id: bigserial('id', { mode: 'number' }).primaryKey(),
	exerciseId: text('exercise_id')
		.notNull()
		.references(() => exercises.id, { onDelete: 'cascade' }),
	fromStatus: text('from_status').notNull(),
	toStatus: text('to_status').notNull(),
	byUser: text('by_user')
		.notNull()
		.references(() => users.id),
	at: createdAt()
});

/** Attributed, append-only Yjs update log: the source of truth for every shared document. */
export const docUpdates = pgTable(
	'doc_updates',
	{
		id: bigserial('id', { mode: 'number' }).primaryKey(),
		doc: text('doc').notNull(),
		seq: integer('seq').notNull(),
		userId: text('user_id'),
		agencyCode: text('agency_code'),
		wallTime: timestamp('wall_time', { withTimezone: true }).notNull().defaultNow(),
		scenarioMs: bigint('scenario_ms', { mode: 'number' }),
		update: bytea('update').notNull()
	},
	(t) => [uniqueIndex('doc_updates_doc_seq').on(t.doc, t.seq)]
);

/**
 * Which user owns each Yjs client id of a document (null: the server's own writes): the first whose
 * stored update wrote under it, recorded in that update's transaction (server/collab/ownership.ts).
 * Ids last written before this table existed have no row until someone writes under them again.
 */
export const docClients = pgTable(
	'doc_clients',
	{
		doc: text('doc').notNull(),
		// Yjs client ids are unsigned 32-bit: too large for integer.
		clientId: bigint('client_id', { mode: 'number' }).notNull(),
		userId: text('user_id')
	},
	(t) => [primaryKey({ columns: [t.doc, t.clientId] })]
);

/** Merged state of a document up to and including `seq`; bounds load time. */
export const docSnapshots = pgTable(
	'doc_snapshots',
	{
		doc: text('doc').notNull(),
		seq: integer('seq').notNull(),
		state: bytea('state').notNull(),
		/**
		 * Agency documents: the task-card history up to `seq` (src/lib/board/task-history.ts), written by
		 * the room that recorded it. Null for other documents, replay checkpoints and older snapshots.
		 */
		tasks: jsonb('tasks').$type<TaskFacts[]>(),
		createdAt: createdAt()
	},
	(t) => [primaryKey({ columns: [t.doc, t.seq] })]
);

/**
 * The command-chain log: append-only and hash-chained per exercise. `entry` holds the hashed content;
 * the other columns exist for filtering and are covered by the hash too (verify rebuilds from them).
 */
export const commandLog = pgTable(
	'command_log',
	{
		exerciseId: text('exercise_id')
			.notNull()
			.references(() => exercises.id, { onDelete: 'cascade' }),
		seq: integer('seq').notNull(),
		kind: text('kind').notNull(),
		fromUser: text('from_user')
			.notNull()
			.references(() => users.id),
		fromAgency: text('from_agency'),
		at: timestamp('at', { withTimezone: true }).notNull(),
		entry: jsonb('entry').notNull(),
		prevHash: text('prev_hash').notNull(),
		hash: text('hash').notNull()
	},
	(t) => [primaryKey({ columns: [t.exerciseId, t.seq] }), index('command_log_kind').on(t.exerciseId, t.kind)]
);

/** The scenario library: built-in and imported packages (validated before they are stored). */
export const scenarios = pgTable('scenarios', {
	id: text('id').primaryKey(),
	builtin: boolean('builtin').notNull().default(false),
	hazard: text('hazard').notNull(),
	titleZh: text('title_zh').notNull(),
	titleEn: text('title_en').notNull(),
	package: jsonb('package').notNull(),
	importedBy: text('imported_by').references(() => users.id),
	createdAt: createdAt(),
	updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow()
});

/**
 * The scenario an exercise runs: a copy of the package taken when assigned (later library edits do not
 * change a running exercise), the random-draw seed, and whether it runs unannounced.
 */
export const exerciseScenarios = pgTable('exercise_scenarios', {
	exerciseId: text('exercise_id')
		.primaryKey()
		.references(() => exercises.id, { onDelete: 'cascade' }),
	scenarioId: text('scenario_id').notNull(),
	package: jsonb('package').notNull(),
	seed: text('seed').notNull(),
	randomCount: integer('random_count').notNull().default(0),
	unannounced: boolean('unannounced').notNull().default(false),
	assignedAt: createdAt()
});

/** One row per inject decision; the primary key makes delivery exactly-once across processes and restarts. */
export const injectDeliveries = pgTable(
	'inject_deliveries',
	{
		exerciseId: text('exercise_id')
			.notNull()
			.references(() => exercises.id, { onDelete: 'cascade' }),
		injectId: text('inject_id').notNull(),
		/** msel | random | contingency | adhoc */
		source: text('source').notNull(),
		/** deliver | skip (a contingency whose condition no longer held) */
		action: text('action').notNull(),
		dueMs: bigint('due_ms', { mode: 'number' }).notNull(),
		scenarioMs: bigint('scenario_ms', { mode: 'number' }).notNull(),
		deliveredAt: createdAt(),
		late: boolean('late').notNull().default(false),
		/** The delivered content for ad-hoc injects (others come from the package). */
		content: jsonb('content'),
		byUser: text('by_user').references(() => users.id)
	},
	(t) => [primaryKey({ columns: [t.exerciseId, t.injectId] })]
);

/** Acknowledgements (签收) of delivered injects, one per agency. */
export const injectAcks = pgTable(
	'inject_acks',
	{
		exerciseId: text('exercise_id')
			.notNull()
			.references(() => exercises.id, { onDelete: 'cascade' }),
		injectId: text('inject_id').notNull(),
		agencyCode: text('agency_code').notNull(),
		userId: text('user_id')
			.notNull()
			.references(() => users.id),
		at: createdAt(),
		scenarioMs: bigint('scenario_ms', { mode: 'number' }).notNull()
	},
	(t) => [primaryKey({ columns: [t.exerciseId, t.injectId, t.agencyCode] })]
);

/** Every time a player opens a monitoring point (for the review's "monitoring use" indicator). */
export const monitoringViews = pgTable(
	'monitoring_views',
	{
		id: bigserial('id', { mode: 'number' }).primaryKey(),
		exerciseId: text('exercise_id')
			.notNull()
			.references(() => exercises.id, { onDelete: 'cascade' }),
		pointId: text('point_id').notNull(),
		userId: text('user_id')
			.notNull()
			.references(() => users.id),
		agencyCode: text('agency_code'),
		at: createdAt(),
		scenarioMs: bigint('scenario_ms', { mode: 'number' }).notNull()
	},
	(t) => [index('monitoring_views_exercise').on(t.exerciseId, t.pointId)]
);

/** Evaluator observations (never sent to players). */
export const observations = pgTable(
	'observations',
	{
		id: text('id').primaryKey(),
		exerciseId: text('exercise_id')
			.notNull()
			.references(() => exercises.id, { onDelete: 'cascade' }),
		evaluatorId: text('evaluator_id')
			.notNull()
			.references(() => users.id),
		at: createdAt(),
		scenarioMs: bigint('scenario_ms', { mode: 'number' }).notNull(),
		agencyCode: text('agency_code'),
		injectId: text('inject_id'),
		capability: text('capability'),
		/** strength | improvement | note */
		kind: text('kind').notNull(),
		text: text('text').notNull()
	},
	(t) => [index('observations_exercise').on(t.exerciseId)]
);

/** P/S/M/U ratings per evaluation target, overall ('' agency) or per agency. */
export const ratings = pgTable(
	'ratings',
	{
		exerciseId: text('exercise_id')
			.notNull()
			.references(() => exercises.id, { onDelete: 'cascade' }),
		objectiveId: text('objective_id').notNull(),
		targetId: text('target_id').notNull(),
		agencyCode: text('agency_code').notNull().default(''),
		rating: text('rating').notNull(),
		note: text('note').notNull().default(''),
		evaluatorId: text('evaluator_id')
			.notNull()
			.references(() => users.id),
		updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow()
	},
	(t) => [primaryKey({ columns: [t.exerciseId, t.objectiveId, t.targetId, t.agencyCode] })]
);

/** Each agency's self-assessment per objective, entered by its players after the end (hot wash). */
export const selfAssessments = pgTable(
	'self_assessments',
	{
		exerciseId: text('exercise_id')
			.notNull()
			.references(() => exercises.id, { onDelete: 'cascade' }),
		agencyCode: text('agency_code').notNull(),
		objectiveId: text('objective_id').notNull(),
		text: text('text').notNull(),
		userId: text('user_id')
			.notNull()
			.references(() => users.id),
		updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow()
	},
	(t) => [primaryKey({ columns: [t.exerciseId, t.agencyCode, t.objectiveId] })]
);

/** Saved versions of an exercise's review (generated content plus the reviewers' edits). */
export const reviews = pgTable(
	'reviews',
	{
		exerciseId: text('exercise_id')
			.notNull()
			.references(() => exercises.id, { onDelete: 'cascade' }),
		version: integer('version').notNull(),
		content: jsonb('content').notNull(),
		createdBy: text('created_by')
			.notNull()
			.references(() => users.id),
		createdAt: createdAt()
	},
	(t) => [primaryKey({ columns: [t.exerciseId, t.version] })]
);

/** Rectification items (整改清单), tracked across exercises until verified by a later one. */
export const rectificationItems = pgTable(
	'rectification_items',
	{
		id: text('id').primaryKey(),
		exerciseId: text('exercise_id')
			.notNull()
			.references(() => exercises.id, { onDelete: 'cascade' }),
		findingId: text('finding_id'),
		problem: jsonb('problem').notNull(),
		cause: jsonb('cause').notNull(),
		action: jsonb('action').notNull(),
		capability: text('capability'),
		element: text('element').notNull(),
		agencyCode: text('agency_code'),
		owner: text('owner'),
		dueDate: text('due_date').notNull(),
		status: text('status').notNull().default('open'),
		verifiedBy: text('verified_by').references(() => exercises.id),
		createdAt: createdAt(),
		updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow()
	},
	(t) => [index('rectification_items_agency').on(t.agencyCode, t.status)]
);
