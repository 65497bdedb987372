/** An error meant for the client: status, stable code, a safe message and optional field details. */
export class AppError extends Error {
	constructor(
		readonly status: number,
		readonly code: string,
		message: string,
		readonly details?: Record<string, string>,
		readonly retryAfterSeconds?: number
	) {
		super(message);
	}
}

export const notFound = (what = 'Not found') => new AppError(404, 'not_found', what);
export const forbidden = (msg = 'You are not allowed to do this.') => new AppError(403, 'forbidden', msg);
export const unauthorized = () => new AppError(401, 'unauthorized', 'Sign in first.');
export const conflict = (msg: string) => new AppError(409, 'conflict', msg);

/** Turns zod issues into `{ "field.path": "message" }` for a 400 response. */
export function invalid(issues: { path: PropertyKey[]; message: string }[]): AppError {
	const details: Record<string, string> = {};
	for (const i of issues) details[i.path.map(String).join('.') || '(body)'] ??= i.message;
	return new AppError(400, 'invalid_input', 'The request has invalid fields.', details);
}

/** Network and server-state failures of the database connection (not errors in the query itself). */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED', 'CONNECT_TIMEOUT']);

/**
 * Whether `e` (or an error it wraps: drizzle puts the driver's error in `cause`) says the database
 * cannot be reached: a refused or dropped connection, or PostgreSQL shutting down, starting up or
 * otherwise refusing connections (SQLSTATE class 08, 57P01–57P03).
 */
export function isDatabaseUnreachable(e: unknown): boolean {
	for (let cur = e, depth = 0; cur && typeof cur === 'object' && depth < 5; cur = (cur as { cause?: unknown }).cause, depth++) {
		const code = (cur as { code?: unknown }).code;
		if (typeof code !== 'string') continue;
		if (UNREACHABLE.has(code) || code.startsWith('08') || /^57P0[123]$/.test(code)) return true;
	}
	return false;
}

export const databaseUnavailable = () =>
	new AppError(503, 'unavailable', 'The database is unreachable: the request was not carried out and nothing was stored. Try again in a moment.', undefined, 5);
