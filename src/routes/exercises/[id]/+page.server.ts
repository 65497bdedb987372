import { appContext } from '$server/context';
import { accessExercise, addMember, listAgencies, listMembers, transitionExercise, updateExercise } from '$server/exercises';
import { scenarioSetup } from '$server/scenario-setup';
import { assignScenario } from '$server/scenarios';
import { allowedTransitions, type ExerciseStatus } from '$lib/domain/lifecycle';
import { allowedActions } from '$lib/domain/permissions';
import { EXERCISE_ROLES } from '$lib/domain/roles';
import { failFrom, formText, orError } from '$lib/server/form-errors';
import { requireSession } from '$lib/server/guard';
import type { Actions, PageServerLoad, RequestEvent } from './$types';

export const load: PageServerLoad = async ({ locals, url, params }) => {
	const { user } = requireSession(locals, url);
	const db = (await appContext()).database.db;
	// Non-members get the same 404 as a missing exercise.
	const access = await orError(accessExercise(db, user, params.id));
	const [members, agencies, setup] = await Promise.all([listMembers(db, access.exercise.id), listAgencies(db), scenarioSetup(db, user, access)]);
	const { id, title, description, status } = access.exercise;
	return {
		exercise: { id, title, description, status: status as ExerciseStatus },
		myRoles: access.memberships,
		/** The permission matrix's answer for this person now; every action re-checks on the server. */
		allowed: allowedActions(access.memberships, { status: access.status }),
		nextStatuses: [...allowedTransitions(access.status)],
		members,
		agencies: agencies.map(({ code, nameZh, nameEn, color }) => ({ code, nameZh, nameEn, color })),
		roles: [...EXERCISE_ROLES],
		/** The scenario as this person may see it, the library to pick from, open rectification items. */
		setup
	};
};

async function context(event: RequestEvent) {
	const { user } = requireSession(event.locals, event.url);
	const db = (await appContext()).database.db;
	return { user, db };
}

export const actions: Actions = {
	transition: async (event) => {
		const { user, db } = await context(event);
		const form = formText(await event.request.formData(), 'status');
		try {
			const access = await accessExercise(db, user, event.params.id);
			const status = await transitionExercise(db, user, access, { status: form.status });
			(await appContext()).events.exerciseChanged(access.exercise.id);
			return { done: { form: 'transition', status } };
		} catch (e) {
			// On a conflict the page shows why, from the state the exercise is actually in now.
			const from = await accessExercise(db, user, event.params.id).then(
				(a) => a.status,
				() => ''
			);
			return failFrom(e, 'transition', { to: form.status, from });
		}
	},

	addMember: async (event) => {
		const { user, db } = await context(event);
		const form = formText(await event.request.formData(), 'username', 'role', 'agencyCode');
		try {
			const access = await accessExercise(db, user, event.params.id);
			const member = await addMember(db, access, {
				username: form.username,
				role: form.role,
				agencyCode: form.role === 'player' && form.agencyCode ? form.agencyCode : null
			});
			return { done: { form: 'addMember', username: member.username, role: member.role } };
		} catch (e) {
			return failFrom(e, 'addMember', form);
		}
	},

	assignScenario: async (event) => {
		const { user, db } = await context(event);
		const form = formText(await event.request.formData(), 'scenarioId', 'unannounced', 'randomCount', 'seed');
		try {
			const access = await accessExercise(db, user, event.params.id);
			const count = form.randomCount.trim() === '' ? 0 : Number(form.randomCount);
			const a = await assignScenario(db, access, {
				scenarioId: form.scenarioId,
				unannounced: form.unannounced === 'on',
				randomCount: Number.isFinite(count) ? count : -1,
				...(form.seed.trim() ? { seed: form.seed.trim() } : {})
			});
			return { done: { form: 'assignScenario', scenarioId: a.scenarioId } };
		} catch (e) {
			return failFrom(e, 'assignScenario', form);
		}
	},

	edit: async (event) => {
		const { user, db } = await context(event);
		const form = formText(await event.request.formData(), 'title', 'description');
		try {
			const access = await accessExercise(db, user, event.params.id);
			await updateExercise(db, access, form);
			return { done: { form: 'edit' } };
		} catch (e) {
			return failFrom(e, 'edit', form);
		}
	}
};
