/** Exercise lifecycle: draft → briefing → running ⇄ paused → ended → reviewed. */
export const EXERCISE_STATUSES = ['draft', 'briefing', 'running', 'paused', 'ended', 'reviewed'] as const;
export type ExerciseStatus = (typeof EXERCISE_STATUSES)[number];

const NEXT: Record<ExerciseStatus, readonly ExerciseStatus[]> = {
	draft: ['briefing'],
	briefing: ['running'],
	running: ['paused', 'ended'],
	paused: ['running', 'ended'],
	ended: ['reviewed'],
	reviewed: []
};

export function allowedTransitions(from: ExerciseStatus): readonly ExerciseStatus[] {
	return NEXT[from];
}

export type TransitionCheck = { ok: true } | { ok: false; reason: string };

export function checkTransition(from: ExerciseStatus, to: ExerciseStatus): TransitionCheck {
	if (NEXT[from].includes(to)) return { ok: true };
	if (from === to) return { ok: false, reason: `The exercise is already ${to}.` };
	const options = NEXT[from];
	const hint = options.length ? `allowed next: ${options.join(', ')}` : 'no further transition is allowed';
	return { ok: false, reason: `Cannot move an exercise from ${from} to ${to} (${hint}).` };
}

export function isExerciseStatus(value: unknown): value is ExerciseStatus {
	return typeof value === 'string' && (EXERCISE_STATUSES as readonly string[]).includes(value);
}

/** States in which players act (edit the board, work cards, send log entries). */
export function isLive(status: ExerciseStatus): boolean {
	return status === 'briefing' || status === 'running' || status === 'paused';
}
