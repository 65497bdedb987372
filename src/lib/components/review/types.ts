/** A rectification item as the review page edits it (the server's rectificationDraftSchema). */
export interface RectDraft {
	id: string;
	findingId: string | null;
	problem: { zh: string; en: string };
	cause: { zh: string; en: string };
	action: { zh: string; en: string };
	capability: string | null;
	element: 'planning' | 'organisation' | 'equipment' | 'training' | 'exercise';
	agency: string | null;
	owner: string | null;
	dueDate: string;
	status: 'open' | 'in_progress' | 'done' | 'verified';
	decision: 'accepted' | 'rejected' | 'proposed';
}

/** One board layer on the replay map. */
export interface ReplayMapLayer {
	key: string;
	color: string;
	visible: boolean;
	geojson: import('geojson').FeatureCollection | null;
}
