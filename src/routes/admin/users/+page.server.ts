import { appContext } from '$server/context';
import { listAgencies } from '$server/exercises';
import { createUser, listUsers, resetPassword, setUserActive } from '$server/users';
import { SYSTEM_ROLES } from '$lib/domain/roles';
import { failFrom, formText } from '$lib/server/form-errors';
import { requireAdmin } from '$lib/server/guard';
import type { Actions, PageServerLoad, RequestEvent } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
	const { user } = requireAdmin(locals, url);
	const db = (await appContext()).database.db;
	const [users, agencies] = await Promise.all([listUsers(db, user.systemRole), listAgencies(db)]);
	return {
		me: user.id,
		users,
		agencies: agencies.map(({ code, nameZh, nameEn, color }) => ({ code, nameZh, nameEn, color })),
		systemRoles: [...SYSTEM_ROLES]
	};
};

/** Every action re-checks that the caller is an administrator (a forged POST gets 403). */
async function adminContext(event: RequestEvent) {
	const { user } = requireAdmin(event.locals, event.url);
	const ctx = await appContext();
	return { user, db: ctx.database.db, events: ctx.events };
}

export const actions: Actions = {
	create: async (event) => {
		const { db, user } = await adminContext(event);
		const form = formText(await event.request.formData(), 'username', 'displayName', 'agencyCode', 'systemRole', 'password');
		const { password, ...values } = form;
		try {
			await createUser(db, user.systemRole, {
				username: form.username,
				displayName: form.displayName,
				password,
				agencyCode: form.agencyCode || null,
				systemRole: form.systemRole as (typeof SYSTEM_ROLES)[number]
			});
		} catch (e) {
			return failFrom(e, 'create', values);
		}
		return { done: { form: 'create', username: form.username.trim() } };
	},

	resetPassword: async (event) => {
		const { user, db, events } = await adminContext(event);
		const form = formText(await event.request.formData(), 'userId', 'password');
		try {
			await resetPassword(db, user.systemRole, form.userId, form.password);
		} catch (e) {
			return failFrom(e, 'resetPassword', { userId: form.userId });
		}
		events.sessionsEnded(form.userId, null); // open boards of that account close too
		return { done: { form: 'resetPassword', userId: form.userId } };
	},

	setActive: async (event) => {
		const { user, db, events } = await adminContext(event);
		const form = formText(await event.request.formData(), 'userId', 'active');
		const active = form.active === 'true';
		try {
			await setUserActive(db, user, form.userId, active);
		} catch (e) {
			return failFrom(e, 'setActive', { userId: form.userId });
		}
		if (!active) events.sessionsEnded(form.userId, null);
		return { done: { form: 'setActive', userId: form.userId, active } };
	}
};
