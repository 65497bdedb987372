/** Exercise roles (HSEEP ↔ Chinese practice, see docs/doctrine). */
export const EXERCISE_ROLES = ['facilitator', 'commander', 'player', 'evaluator', 'observer'] as const;
export type ExerciseRole = (typeof EXERCISE_ROLES)[number];

/** System-wide role of an account, independent of any exercise. */
export const SYSTEM_ROLES = ['admin', 'organizer', 'member'] as const;
export type SystemRole = (typeof SYSTEM_ROLES)[number];

/** One role a person holds in one exercise; players act for an agency. */
export interface Membership {
	role: ExerciseRole;
	agencyCode: string | null;
}

export function hasRole(memberships: readonly Membership[], role: ExerciseRole): boolean {
	return memberships.some((m) => m.role === role);
}

/** Agencies a person plays for in this exercise. */
export function playerAgencies(memberships: readonly Membership[]): string[] {
	return memberships.filter((m) => m.role === 'player' && m.agencyCode).map((m) => m.agencyCode as string);
}

/** Organisers and administrators may set up new exercises. */
export function canCreateExercise(systemRole: SystemRole): boolean {
	return systemRole === 'admin' || systemRole === 'organizer';
}
