import type { EntryKind, ReportStage } from '$lib/domain/commandlog/entry';
import type { Party } from '$lib/log/view';

/** What an entry's action button asks the composer to prepare (answer, correction, report update). */
export interface ComposePreset {
	/** Changes on every request, so the same preset twice still re-applies. */
	nonce: number;
	kind: EntryKind;
	/** The entry answered (feedback) or the earlier report (update/final). */
	ref?: number;
	stage?: ReportStage;
	/** The entry being corrected. */
	corrects?: number;
	/** Which of my parties speaks (the one the answered entry was addressed to). */
	party?: Party;
	/** Recipients to start from (a correction goes where the original went). */
	agencies?: string[];
	commander?: boolean;
	inject?: string | null;
}
