/**
 * The board's connection state as a person should read it, from the state of each document's
 * provider: connected, connecting (first time), reconnecting, or offline with N edits not yet sent.
 */

/** `disconnected` also covers retrying after a failed attempt; `closed` is final (no access). */
export type DocLink = 'connecting' | 'connected' | 'disconnected' | 'closed';

export interface DocConnection {
	link: DocLink;
	/** The first sync with the server finished on this connection. */
	synced: boolean;
	/** Ever connected since the page loaded. */
	everConnected: boolean;
	/** Local edits made since the last full sync (not yet confirmed sent). */
	pending: number;
}

export type BoardLinkState = 'connecting' | 'connected' | 'reconnecting' | 'offline';

export interface BoardLinkSummary {
	state: BoardLinkState;
	pending: number;
}

/**
 * Offline when the browser says so or every document's last attempt failed; connecting before any
 * document ever connected; reconnecting while some are back but not all are synced; connected when
 * every document is synced. A document closed for good by the server does not hold the board back.
 */
export function summarizeLinks(docs: readonly DocConnection[], browserOnline = true): BoardLinkSummary {
	const live = docs.filter((d) => d.link !== 'closed');
	const pending = docs.reduce((n, d) => n + d.pending, 0);
	if (!browserOnline) return { state: 'offline', pending };
	if (live.every((d) => d.link === 'connected' && d.synced)) return { state: 'connected', pending: 0 };
	if (live.every((d) => d.link === 'disconnected')) return { state: 'offline', pending };
	if (!live.some((d) => d.everConnected)) return { state: 'connecting', pending };
	return { state: 'reconnecting', pending };
}
