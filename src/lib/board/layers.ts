/**
 * The board's layers: the shared annotations (common document) and one layer per agency, each a
 * Yjs document named by docs.ts, drawn in its agency's colour. Whether the person may write each is
 * decided here for the UI from the same rules the collab server enforces per message.
 */
import type { ExerciseStatus } from '../domain/lifecycle';
import type { Membership } from '../domain/roles';
import { agencyDocName, canWriteDoc, commonDocName } from './docs';

export interface BoardLayerInfo {
	/** `common` or the agency code. */
	key: string;
	docName: string;
	agency: string | null;
	color: string;
	nameZh: string;
	nameEn: string;
	writable: boolean;
}

/** Colour of the shared-annotations layer (no agency uses violet). */
export const COMMON_COLOR = '#6741d9';

export interface AgencyRow {
	code: string;
	nameZh: string;
	nameEn: string;
	color: string;
}

/** The common layer first, then every agency in the given order. */
export function boardLayersFor(exerciseId: string, agencies: readonly AgencyRow[], memberships: readonly Membership[], status: ExerciseStatus): BoardLayerInfo[] {
	const common: BoardLayerInfo = {
		key: 'common',
		docName: commonDocName(exerciseId),
		agency: null,
		color: COMMON_COLOR,
		nameZh: '共享标注',
		nameEn: 'Shared annotations',
		writable: canWriteDoc(memberships, { exerciseId, kind: 'common' }, status)
	};
	return [
		common,
		...agencies.map((a) => ({
			key: a.code,
			docName: agencyDocName(exerciseId, a.code),
			agency: a.code,
			color: /^#[0-9a-fA-F]{6}$/.test(a.color) ? a.color.toLowerCase() : '#868e96',
			nameZh: a.nameZh,
			nameEn: a.nameEn,
			writable: canWriteDoc(memberships, { exerciseId, kind: 'agency', agency: a.code }, status)
		}))
	];
}

/** Where new marks go by default: the person's own agency layer, else the first writable one. */
export function defaultTarget(layers: readonly BoardLayerInfo[], ownAgency: string | null): string | null {
	const own = layers.find((l) => l.writable && l.agency !== null && l.agency === ownAgency);
	return own?.key ?? layers.find((l) => l.writable && l.key === 'common')?.key ?? layers.find((l) => l.writable)?.key ?? null;
}

export const layerName = (l: Pick<BoardLayerInfo, 'nameZh' | 'nameEn'>, locale: string) => (locale === 'en' ? l.nameEn : l.nameZh);
