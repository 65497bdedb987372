import { error, redirect } from '@sveltejs/kit';
import type { ValidSession } from '$server/auth/sessions';

/** Paths anyone may open without a session. Everything else redirects to the sign-in page. */
export function isPublicPath(pathname: string): boolean {
	return (
		pathname === '/login' ||
		pathname === '/locale' ||
		pathname === '/logout' ||
		pathname.startsWith('/api/') ||
		pathname.startsWith('/_app/') ||
		pathname === '/favicon.svg'
	);
}

/** A same-site path (no scheme, no `//host`, no control characters), else the fallback. */
export function localPath(path: string | null | undefined, fallback = '/'): string {
	if (!path || !path.startsWith('/') || path.startsWith('//') || path.startsWith('/\\')) return fallback;
	if ([...path].some((c) => c.charCodeAt(0) < 0x20)) return fallback;
	return path;
}

/** Where to send someone after sign-in: only same-site paths, never back to the auth pages. */
export function safeNext(next: string | null | undefined, fallback = '/exercises'): string {
	const path = localPath(next, fallback);
	const bare = path.split(/[?#]/)[0];
	if (bare === '/login' || bare === '/logout' || bare === '/locale') return fallback;
	return path;
}

export function loginUrl(url: URL): string {
	const next = url.pathname + url.search;
	return next === '/' || next === '/exercises' ? '/login' : `/login?next=${encodeURIComponent(next)}`;
}

/** The signed-in session; the hook already redirected anonymous requests, this keeps types honest. */
export function requireSession(locals: App.Locals, url: URL): ValidSession {
	if (!locals.session) redirect(303, loginUrl(url));
	return locals.session;
}

/** Administrators only; others get 403. */
export function requireAdmin(locals: App.Locals, url: URL): ValidSession {
	const session = requireSession(locals, url);
	if (session.user.systemRole !== 'admin') error(403, { message: 'Only administrators may manage accounts.', code: 'forbidden' });
	return session;
}
