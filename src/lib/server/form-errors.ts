import { error, fail, type ActionFailure } from '@sveltejs/kit';
import { AppError } from '$server/errors';

/**
 * What a failed form action sends back to its page. `code` and `fields` are stable enough for the UI
 * to pick translated text (see $lib/i18n/errors); `message` is the server's safe English text, used
 * only as a fallback. Internals never get here: anything that is not an AppError is rethrown and
 * SvelteKit answers with its generic 500 page.
 */
export interface FormProblem {
	/** Which form on the page failed (pages with several forms). */
	form: string;
	status: number;
	code: string;
	message: string;
	fields: Record<string, string>;
	retryAfter?: number;
	/** The submitted values to put back into the form (never passwords). */
	values: Record<string, string>;
}

export type FormFailure = ActionFailure<{ problem: FormProblem }>;

/** Maps an AppError from server/*.ts to `fail(status, { problem })`; rethrows anything else. */
export function failFrom(e: unknown, form: string, values: Record<string, string> = {}): FormFailure {
	if (!(e instanceof AppError)) throw e;
	return fail(e.status, {
		problem: {
			form,
			status: e.status,
			code: e.code,
			message: e.message,
			fields: e.details ?? {},
			...(e.retryAfterSeconds ? { retryAfter: e.retryAfterSeconds } : {}),
			values
		}
	});
}

/** For loads: maps an AppError to SvelteKit's `error(status)`; rethrows anything else. */
export function errorFrom(e: unknown): never {
	if (e instanceof AppError) error(e.status, { message: e.message, code: e.code });
	throw e;
}

/** Runs a server call from a load; AppErrors become error pages. */
export async function orError<T>(work: Promise<T>): Promise<T> {
	try {
		return await work;
	} catch (e) {
		return errorFrom(e);
	}
}

/** Text fields of a submitted form, trimmed to strings (files and missing fields become ''). */
export function formText(data: FormData, ...names: string[]): Record<string, string> {
	const out: Record<string, string> = {};
	for (const n of names) {
		const v = data.get(n);
		out[n] = typeof v === 'string' ? v : '';
	}
	return out;
}
