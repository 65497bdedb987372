import { sql } from 'drizzle-orm';
import type { Db } from './client';
import { agencies, exerciseMembers, exercises, users } from './schema';
import { hashPassword } from '../server/auth/password';
import type { ExerciseRole, SystemRole } from '../src/lib/domain/roles';

/** The agencies of a municipal joint exercise; data, not code. */
export const SEED_AGENCIES = [
	{ code: 'em', nameZh: '应急管理', nameEn: 'Emergency Management', color: '#d9480f', sortOrder: 1 },
	{ code: 'fire', nameZh: '消防救援', nameEn: 'Fire Rescue', color: '#e03131', sortOrder: 2 },
	{ code: 'police', nameZh: '公安', nameEn: 'Police', color: '#1c7ed6', sortOrder: 3 },
	{ code: 'health', nameZh: '卫健', nameEn: 'Health', color: '#2f9e44', sortOrder: 4 },
	{ code: 'transport', nameZh: '交通运输', nameEn: 'Transport', color: '#f08c00', sortOrder: 5 },
	{ code: 'water', nameZh: '水利', nameEn: 'Water Resources', color: '#0c8599', sortOrder: 6 }
];

interface DemoAccount {
	username: string;
	displayName: string;
	agencyCode: string | null;
	systemRole: SystemRole;
	/** Roles in the demo exercise; players act for their own agency. */
	roles: ExerciseRole[];
}

export const DEMO_ACCOUNTS: DemoAccount[] = [
	{ username: 'admin', displayName: '系统管理员', agencyCode: null, systemRole: 'admin', roles: [] },
	{ username: 'facilitator', displayName: '导调 王岚', agencyCode: 'em', systemRole: 'organizer', roles: ['facilitator'] },
	{ username: 'commander', displayName: '总指挥 李刚', agencyCode: 'em', systemRole: 'organizer', roles: ['commander'] },
	{ username: 'em1', displayName: '应急值班员 张敏', agencyCode: 'em', systemRole: 'member', roles: ['player'] },
	{ username: 'fire1', displayName: '消防 刘强', agencyCode: 'fire', systemRole: 'member', roles: ['player'] },
	{ username: 'fire2', displayName: '消防 陈杰', agencyCode: 'fire', systemRole: 'member', roles: ['player'] },
	{ username: 'police1', displayName: '公安 赵磊', agencyCode: 'police', systemRole: 'member', roles: ['player'] },
	{ username: 'health1', displayName: '卫健 孙丽', agencyCode: 'health', systemRole: 'member', roles: ['player'] },
	{ username: 'evaluator', displayName: '评估 周宁', agencyCode: null, systemRole: 'member', roles: ['evaluator'] },
	{ username: 'observer', displayName: '观摩 吴迪', agencyCode: null, systemRole: 'member', roles: ['observer'] },
	{ username: 'outsider', displayName: '外部人员 郑洁', agencyCode: 'police', systemRole: 'member', roles: [] }
];

export const DEMO_EXERCISE_TITLE = 'Demo';

/** Seeds agencies, demo accounts and the demo exercise, but only into an empty database. Returns whether it seeded. */
export async function seedDemo(db: Db, password: string): Promise<boolean> {
	const [{ n }] = await db.select({ n: sql<number>`count(*)::int` }).from(users);
	if (n > 0) return false;
	const passwordHash = await hashPassword(password);
	await db.transaction(async (tx) => {
		await tx.insert(agencies).values(SEED_AGENCIES).onConflictDoNothing();
		const ids = new Map<string, string>();
		for (const a of DEMO_ACCOUNTS) {
			const id = crypto.randomUUID();
			ids.set(a.username, id);
			await tx.insert(users).values({ id, username: a.username, displayName: a.displayName, passwordHash, agencyCode: a.agencyCode, systemRole: a.systemRole });
		}
		const exerciseId = crypto.randomUUID();
		await tx.insert(exercises).values({
			id: exerciseId,
			title: DEMO_EXERCISE_TITLE,
			description: '城区内涝与水库溃坝联合桌面推演（演示） · Joint tabletop exercise: waterlogging and dam break (demo)',
			status: 'briefing',
			createdBy: ids.get('facilitator') as string
		});
		for (const a of DEMO_ACCOUNTS) {
			for (const role of a.roles) {
				await tx.insert(exerciseMembers).values({
					exerciseId,
					userId: ids.get(a.username) as string,
					role,
					agencyCode: role === 'player' ? a.agencyCode : null
				});
			}
		}
	});
	return true;
}
