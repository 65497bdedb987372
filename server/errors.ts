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
