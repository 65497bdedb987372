/** Browser side of `POST /api/v1/exercises/:id/log`: the server validates and applies the chain rules. */
import type { EntryDraft, LogEntry } from '../domain/commandlog/entry';

export interface SendProblem {
	/** HTTP status; 0 when the server could not be reached. */
	status: number;
	code: string;
	message: string;
	details: Record<string, string>;
}

export type SendResult = { ok: true; entry: LogEntry } | { ok: false; problem: SendProblem };

export async function sendEntry(exerciseId: string, draft: EntryDraft, fetcher: typeof fetch = fetch): Promise<SendResult> {
	let res: Response;
	try {
		res = await fetcher(`/api/v1/exercises/${encodeURIComponent(exerciseId)}/log`, {
			method: 'POST',
			headers: { 'content-type': 'application/json', accept: 'application/json' },
			body: JSON.stringify(draft)
		});
	} catch (e) {
		return { ok: false, problem: { status: 0, code: 'network', message: e instanceof Error ? e.message : String(e), details: {} } };
	}
	const body = (await res.json().catch(() => null)) as { entry?: LogEntry; error?: { code?: string; message?: string; details?: Record<string, string> } } | null;
	if (res.ok && body?.entry) return { ok: true, entry: body.entry };
	return {
		ok: false,
		problem: { status: res.status, code: body?.error?.code ?? 'internal', message: body?.error?.message ?? res.statusText, details: body?.error?.details ?? {} }
	};
}

/** `GET …/log/verify`. */
export type Verdict = { ok: true; count: number; head: string } | { ok: false; brokenSeq: number; reason: string; count: number };

export async function verifyChain(exerciseId: string, fetcher: typeof fetch = fetch): Promise<Verdict | { error: number }> {
	try {
		const res = await fetcher(`/api/v1/exercises/${encodeURIComponent(exerciseId)}/log/verify`, { headers: { accept: 'application/json' } });
		if (!res.ok) return { error: res.status };
		return (await res.json()) as Verdict;
	} catch {
		return { error: 0 };
	}
}
