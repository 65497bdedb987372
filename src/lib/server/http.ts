/**
 * Cookies are Secure except over plain HTTP on localhost. A site that serves plain HTTP on its LAN
 * (no certificate at the exercise venue) sets COOKIE_SECURE=false.
 */
export function isSecureRequest(url: URL): boolean {
	if (process.env.COOKIE_SECURE === 'false') return false;
	const local = url.hostname === 'localhost' || url.hostname === '127.0.0.1' || url.hostname === '[::1]';
	return url.protocol === 'https:' || !local;
}
