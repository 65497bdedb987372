import { appContext } from '$server/context';
import { accessExercise, listAgencies, listMembers } from '$server/exercises';
import { agencyDocName, canWriteDoc } from '$lib/board/docs';
import { hasRole, playerAgencies } from '$lib/domain/roles';
import { orError } from '$lib/server/form-errors';
import { requireSession } from '$lib/server/guard';
import type { PageServerLoad } from './$types';

/**
 * Task cards (任务卡): every agency's cards live from the agency documents. The page learns which
 * documents this person may write now (the collab server enforces it per message) and who can be
 * assigned; players land on their own agency's board, everyone else on the all-agency view.
 */
export const load: PageServerLoad = async ({ locals, url, params }) => {
	const { user } = requireSession(locals, url);
	const db = (await appContext()).database.db;
	const access = await orError(accessExercise(db, user, params.id));
	const [agencies, members] = await Promise.all([listAgencies(db), listMembers(db, access.exercise.id)]);
	const { id, title } = access.exercise;
	const own = playerAgencies(access.memberships);
	return {
		exercise: { id, title, status: access.status },
		agencies: agencies.map(({ code, nameZh, nameEn, color }) => ({ code, nameZh, nameEn, color })),
		docs: agencies.map((a) => ({
			agency: a.code,
			docName: agencyDocName(id, a.code),
			writable: canWriteDoc(access.memberships, { exerciseId: id, kind: 'agency', agency: a.code }, access.status)
		})),
		/** People a card can be assigned to: the agency's players (and the commander). */
		people: members
			.filter((m) => m.role === 'player' || m.role === 'commander')
			.map((m) => ({ id: m.userId, name: m.displayName, role: m.role, agency: m.agencyCode })),
		me: { id: user.id, name: user.displayName },
		ownAgencies: own,
		commanderView: own.length === 0 || hasRole(access.memberships, 'commander') || hasRole(access.memberships, 'facilitator')
	};
};
