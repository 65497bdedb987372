/**
 * The console's calls to the JSON API (docs/api.md): every change the facilitator makes goes through
 * the same endpoints and permission checks as any other client.
 */
import type { Translate } from '$lib/i18n/index';
import { problemMessage } from '$lib/i18n/errors';

export class ApiProblem extends Error {
	constructor(
		readonly status: number,
		readonly code: string,
		message: string,
		readonly details: Record<string, string> = {}
	) {
		super(message);
	}
}

/** POSTs JSON to `/api/v1/<path>`; resolves with the JSON answer or rejects with an ApiProblem. */
export async function post<T = unknown>(path: string, body: unknown = {}): Promise<T> {
	let res: Response;
	try {
		res = await fetch(`/api/v1/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
	} catch {
		throw new ApiProblem(0, 'offline', 'The server cannot be reached.');
	}
	const json = (await res.json().catch(() => null)) as { error?: { code: string; message: string; details?: Record<string, string> } } | null;
	if (!res.ok) throw new ApiProblem(res.status, json?.error?.code ?? 'internal', json?.error?.message ?? res.statusText, json?.error?.details);
	return json as T;
}

/** One line for a failed call, in the reader's language. */
export function apiMessage(t: Translate, e: unknown): string {
	if (e instanceof ApiProblem) {
		if (e.code === 'offline') return t('console.error.offline');
		return problemMessage(t, { status: e.status, code: e.code, message: e.message, fields: e.details });
	}
	return t('error.generic');
}
