import { handleApi } from '../../../server/api/router';
import { createLoginLimiters } from '../../../server/auth/rate-limit';
import { sessionFromHeaders } from '../../../server/auth/resolve';
import { AppEvents, type AppContext } from '../../../server/context';
import type { Database } from '../../../db/client';

export interface CallOptions {
	body?: unknown;
	rawBody?: string;
	contentType?: string;
	token?: string;
	cookie?: string;
	address?: string;
	origin?: string;
}

/**
 * Calls the JSON API as SvelteKit would: session resolved from the headers, then the router. Pass the
 * collaboration server's `events` to have it hear what the API does, as in one process.
 */
export function apiClient(database: Database, events = new AppEvents()) {
	const ctx: AppContext = { database, limiters: createLoginLimiters(), seeded: true, events };
	async function call(method: string, path: string, o: CallOptions = {}) {
		const headers = new Headers();
		if (o.token) headers.set('authorization', `Bearer ${o.token}`);
		if (o.cookie) headers.set('cookie', o.cookie);
		if (o.origin) headers.set('origin', o.origin);
		let body: string | undefined;
		if (o.rawBody !== undefined || o.body !== undefined) {
			headers.set('content-type', o.contentType ?? 'application/json');
			body = o.rawBody ?? JSON.stringify(o.body);
		}
		const request = new Request(`http://localhost/api/v1/${path}`, { method, headers, body });
		const session = await sessionFromHeaders(database.db, { authorization: headers.get('authorization'), cookie: headers.get('cookie') });
		const res = await handleApi(ctx, { request, session, clientAddress: o.address ?? '10.0.0.1', secureCookies: false }, path.split('?')[0]);
		const text = await res.text();
		const isJson = res.headers.get('content-type')?.startsWith('application/json');
		return { status: res.status, headers: res.headers, text, json: isJson && text ? JSON.parse(text) : null };
	}
	async function signIn(username: string, password = 'drillboard') {
		const r = await call('POST', 'session', { body: { username, password } });
		if (r.status !== 201) throw new Error(`sign-in of ${username} failed: ${r.status} ${JSON.stringify(r.json)}`);
		return r.json.token as string;
	}
	return { ctx, call, signIn };
}
