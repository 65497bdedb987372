import { expect, type Browser, type Page } from '@playwright/test';

export const PASSWORD = 'drillboard';
export const SCREENSHOTS = 'docs/screenshots';

/**
 * Waits until the page is hydrated (the root layout marks <html data-hydrated>). Typing into a
 * server-rendered form before that works, but tests that expect enhanced behaviour should wait.
 */
export async function ready(page: Page): Promise<void> {
	await page.locator('html[data-hydrated]').waitFor({ state: 'attached' });
}

/** page.goto, then wait for hydration. */
export async function open(page: Page, path: string): Promise<void> {
	await page.goto(path);
	await ready(page);
}

/** Signs in through the form; waits until the app has navigated away from /login. */
export async function signIn(page: Page, username: string, password = PASSWORD, next = '/exercises'): Promise<void> {
	if (!page.url().includes('/login')) await page.goto('/login');
	await ready(page);
	await page.locator('#username').fill(username);
	await page.locator('#password').fill(password);
	await page.locator('form:has(#password) button[type=submit]').click();
	await page.waitForURL((u) => u.pathname === next || u.pathname.startsWith(`${next}/`));
}

/** A fresh browser context signed in as `username` through the API (no login form); its first page. */
export async function apiSignedInPage(browser: Browser, username: string, viewport = { width: 1920, height: 1080 }): Promise<Page> {
	const context = await browser.newContext({ viewport });
	const res = await context.request.post('/api/v1/session', { data: { username, password: PASSWORD } });
	expect(res.status(), `sign in ${username}`).toBe(201);
	return context.newPage();
}

/** A fresh browser context (no cookies) signed in as `username`. */
export async function signedInPage(browser: Browser, username: string): Promise<Page> {
	const context = await browser.newContext();
	const page = await context.newPage();
	await open(page, '/login');
	await signIn(page, username);
	return page;
}

export async function signOut(page: Page): Promise<void> {
	await page.locator('form[action="/logout"] button').click();
	await page.waitForURL('**/login');
}

/** The id of the exercise with this title, from the signed-in user's list. */
export async function exerciseId(page: Page, title: string): Promise<string> {
	await open(page, '/exercises');
	const href = await page.getByRole('link', { name: title, exact: true }).getAttribute('href');
	const id = href?.split('/').pop();
	expect(id, `exercise "${title}" in the list`).toBeTruthy();
	return id as string;
}

/** The id of the seeded exercise titled "Demo", from the API as the page's user sees it. */
export async function demoExerciseId(page: Page): Promise<string> {
	const body = (await (await page.request.get('/api/v1/exercises')).json()) as { exercises: { id: string; title: string }[] };
	const ex = body.exercises.find((e) => e.title === 'Demo');
	expect(ex, 'Demo exercise').toBeTruthy();
	return (ex as { id: string }).id;
}

/**
 * Submits a form action the way `use:enhance` does, from inside the page (same origin, same cookies),
 * bypassing the UI; returns SvelteKit's action result (`{ type, status, data }`).
 */
export async function postAction(page: Page, path: string, fields: Record<string, string>) {
	return page.evaluate(
		async ({ path, fields }) => {
			const body = new FormData();
			for (const [k, v] of Object.entries(fields)) body.append(k, v);
			const res = await fetch(path, { method: 'POST', body, headers: { 'x-sveltekit-action': 'true', accept: 'application/json' } });
			const json = (await res.json()) as { type: string; status?: number; data?: string };
			return { httpStatus: res.status, type: json.type, status: json.status ?? res.status, data: json.data ?? '' };
		},
		{ path, fields }
	);
}

/** True when the page can be scrolled sideways. */
export function hasHorizontalScroll(page: Page): Promise<boolean> {
	return page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth);
}
