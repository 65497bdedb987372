/** The language cookie: readable by the server only, kept for a year. */
export function localeCookieOptions(secure: boolean) {
	return { path: '/', httpOnly: true, sameSite: 'lax' as const, secure, maxAge: 365 * 24 * 3600 };
}
