import type { AppContext } from '../context';
import { SESSION_COOKIE, sessionCookieOptions, type ValidSession } from '../auth/sessions';
import { AppError, databaseUnavailable, isDatabaseUnreachable, unauthorized } from '../errors';
import { accessExercise, type ExerciseAccess } from '../exercises';

/** One API request as the router sees it (built by SvelteKit's catch-all route, or by tests). */
export interface ApiRequest {
	request: Request;
	session: ValidSession | null;
	clientAddress: string;
	/** Whether the session cookie must be Secure (everything but plain-HTTP localhost). */
	secureCookies: boolean;
}

export type Handler = (ctx: AppContext, req: ApiRequest, params: string[]) => Promise<Response>;
export interface Route {
	method: string;
	pattern: RegExp;
	handler: Handler;
}

export const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
	new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json; charset=utf-8', ...headers } });

export function errorResponse(e: AppError): Response {
	const body = { error: { code: e.code, message: e.message, ...(e.details ? { details: e.details } : {}) } };
	return json(body, e.status, e.retryAfterSeconds ? { 'retry-after': String(e.retryAfterSeconds) } : {});
}

/** The 503 answer when `e` says the database is unreachable (nothing was stored); null for any other error. */
export function apiUnavailable(e: unknown): Response | null {
	return isDatabaseUnreachable(e) ? errorResponse(databaseUnavailable()) : null;
}

export function cookieHeader(value: string, secure: boolean, maxAge?: number): string {
	const o = sessionCookieOptions(secure);
	const parts = [`${SESSION_COOKIE}=${value}`, `Path=${o.path}`, 'HttpOnly', 'SameSite=Lax', `Max-Age=${maxAge ?? o.maxAge}`];
	if (o.secure) parts.push('Secure');
	return parts.join('; ');
}

const DEFAULT_MAX_BODY = 100_000;

/** Reads at most `maxBytes` of the body, refusing (413) as soon as it is exceeded rather than buffering it all. */
async function readLimited(request: Request, maxBytes: number): Promise<string> {
	const declared = Number(request.headers.get('content-length') ?? 0);
	const tooLarge = () => new AppError(413, 'too_large', `The request body is larger than ${maxBytes} bytes.`);
	if (declared > maxBytes) throw tooLarge();
	if (!request.body) return '';
	const reader = request.body.getReader();
	const chunks: Uint8Array[] = [];
	let size = 0;
	for (;;) {
		const { done, value } = await reader.read();
		if (done) break;
		size += value.byteLength;
		if (size > maxBytes) {
			await reader.cancel();
			throw tooLarge();
		}
		chunks.push(value);
	}
	return new TextDecoder().decode(Buffer.concat(chunks));
}

/** JSON bodies only: a cross-site form cannot send application/json without a CORS preflight. */
export async function readJson(request: Request, maxBytes = DEFAULT_MAX_BODY): Promise<unknown> {
	if (!request.headers.get('content-type')?.toLowerCase().startsWith('application/json')) {
		throw new AppError(415, 'unsupported_media_type', 'Send the body as application/json.');
	}
	const text = await readLimited(request, maxBytes);
	let value: unknown;
	try {
		value = JSON.parse(text);
	} catch {
		throw new AppError(400, 'invalid_json', 'The body is not valid JSON.');
	}
	// PostgreSQL cannot store NUL in text or jsonb; refuse it here rather than fail (500) in the insert.
	if (hasNul(value)) throw new AppError(400, 'invalid_input', 'Text may not contain NUL (\\u0000) characters.');
	return value;
}

function hasNul(value: unknown): boolean {
	if (typeof value === 'string') return value.includes('\u0000');
	if (Array.isArray(value)) return value.some(hasNul);
	if (value && typeof value === 'object') return Object.entries(value).some(([k, v]) => k.includes('\u0000') || hasNul(v));
	return false;
}

/** Like readJson, but an empty body without a content type reads as `{}` (for bodiless POSTs). */
export async function readOptionalJson(request: Request): Promise<unknown> {
	if (request.headers.get('content-type')) return readJson(request);
	if ((await readLimited(request, DEFAULT_MAX_BODY)).trim() === '') return {};
	throw new AppError(415, 'unsupported_media_type', 'Send the body as application/json.');
}

export function requireSession(req: ApiRequest): ValidSession {
	if (!req.session) throw unauthorized();
	return req.session;
}

/** The signed-in member's view of an exercise (404 for everyone else). */
export async function memberAccess(ctx: AppContext, req: ApiRequest, exerciseId: string): Promise<{ session: ValidSession; access: ExerciseAccess }> {
	const session = requireSession(req);
	return { session, access: await accessExercise(ctx.database.db, session.user, exerciseId) };
}
