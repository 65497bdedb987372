/** JSON calls to the app's own API from review pages (session cookie; JSON bodies keep cross-site forms out). */
export interface ApiResult<T = unknown> {
	ok: boolean;
	status: number;
	data: T | null;
	error: { code: string; message: string; details?: Record<string, string> } | null;
}

export async function api<T = unknown>(method: string, path: string, body?: unknown): Promise<ApiResult<T>> {
	try {
		const res = await fetch(`/api/v1/${path}`, {
			method,
			headers: body === undefined ? {} : { 'content-type': 'application/json' },
			body: body === undefined ? undefined : JSON.stringify(body)
		});
		const json = res.headers.get('content-type')?.startsWith('application/json') ? await res.json() : null;
		return { ok: res.ok, status: res.status, data: res.ok ? (json as T) : null, error: res.ok ? null : (json?.error ?? { code: 'internal', message: res.statusText }) };
	} catch {
		return { ok: false, status: 0, data: null, error: { code: 'network', message: 'offline' } };
	}
}

/** Scenario milliseconds as T+HH:MM:SS (always with seconds, for replay and timelines). */
export function clockLabel(ms: number): string {
	const total = Math.floor(Math.max(0, ms) / 1000);
	const pad = (n: number) => String(n).padStart(2, '0');
	return `T+${pad(Math.floor(total / 3600))}:${pad(Math.floor((total % 3600) / 60))}:${pad(total % 60)}`;
}

/** Milliseconds as minutes with one decimal, or null. */
export const minutesOf = (ms: number | null | undefined): number | null => (ms == null ? null : Math.round(ms / 6_000) / 10);
