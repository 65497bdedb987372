/**
 * Injection and scripting (issue 7): hostile HTML/JS in every user-controlled text that the app renders —
 * exercise title, display names, scenario package text, injects, log entries, task cards, map features,
 * observations, the review and its rectification items — stays inert on every page that shows it and in
 * the exports: no script runs (`window.__xss` stays undefined), no dialog opens, the text shows literally.
 */
import ExcelJS from 'exceljs';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { expect, test, type APIRequestContext, type Browser, type Page } from '@playwright/test';
import { agencyDocName, commonDocName } from '../../src/lib/board/docs';
import { addFeature } from '../../src/lib/board/features';
import { addTask, commentOnTask } from '../../src/lib/board/tasks';
import { minimalScenario } from '../fixtures/minimal-scenario';
import { PASSWORD, ready } from './helpers';

/** Fits every field (display names hold 80 characters). */
const H = '<img src=x onerror=window.__xss=1>{{7*7}}<script>window.__xss=1</script>';
const H2 = '"><svg onload=window.__xss=1>javascript:window.__xss=1';
const FORMULA = "=cmd|' /C calc'!A0";
const bi = (s: string) => ({ zh: s, en: s });

test.describe.configure({ mode: 'serial' });
test.setTimeout(180_000);

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- API answers, checked by the assertions that use them
async function ok(res: Awaited<ReturnType<APIRequestContext['post']>>, what: string): Promise<any> {
	expect(res.ok(), `${what}: ${res.status()} ${await res.text()}`).toBe(true);
	return res.json();
}

const pages: Page[] = [];
async function signedIn(browser: Browser, username: string, password = PASSWORD): Promise<Page> {
	const context = await browser.newContext();
	expect((await context.request.post('/api/v1/session', { data: { username, password } })).status(), `sign in ${username}`).toBe(201);
	const page = await context.newPage();
	const dialogs: string[] = [];
	page.on('dialog', (d) => {
		dialogs.push(d.message());
		void d.dismiss();
	});
	Object.assign(page, { dialogs });
	pages.push(page);
	return page;
}

/** Opens the page and checks that nothing ran and that each text shows literally. */
async function visit(page: Page, path: string, shown: string[], ready_ = () => ready(page)) {
	await page.goto(path);
	await ready_();
	for (const s of shown) await expect(page.locator('body'), `${path} shows the text`).toContainText(s, { timeout: 20_000 });
	await page.waitForTimeout(300);
	expect(await page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss), `${path}: a script ran`).toBeUndefined();
	expect((page as unknown as { dialogs: string[] }).dialogs, `${path}: a dialog opened`).toEqual([]);
	expect(await page.locator('body img[src="x"], body svg[onload]').count(), `${path}: hostile markup became elements`).toBe(0);
}

/** Writes to a board document as a Node client would (the stock provider with the session cookie). */
async function writeDoc(baseURL: string, cookie: string, room: string, write: (doc: Y.Doc) => void) {
	class CookieSocket extends WebSocket {
		constructor(url: string, protocols?: string | string[]) {
			super(url, protocols, { headers: { cookie } });
		}
	}
	const doc = new Y.Doc();
	const provider = new WebsocketProvider(`${baseURL.replace(/^http/, 'ws')}/collab`, room, doc, {
		WebSocketPolyfill: CookieSocket as unknown as typeof globalThis.WebSocket,
		disableBc: true
	});
	await expect.poll(() => provider.synced, { timeout: 15_000 }).toBe(true);
	write(doc);
	// Stored once the server answers a fresh sync with it (updates are persisted before they are relayed).
	const probe = new Y.Doc();
	const reader = new WebsocketProvider(`${baseURL.replace(/^http/, 'ws')}/collab`, room, probe, {
		WebSocketPolyfill: CookieSocket as unknown as typeof globalThis.WebSocket,
		disableBc: true
	});
	await expect.poll(() => reader.synced && Y.encodeStateVector(probe).length === Y.encodeStateVector(doc).length, { timeout: 15_000 }).toBe(true);
	reader.destroy();
	provider.destroy();
}

let exerciseId: string;
let fac: Page;

test.afterAll(async () => {
	for (const p of pages) await p.context().close();
});

test('hostile text stays inert on every page while the exercise runs', async ({ browser, baseURL }) => {
	const admin = await signedIn(browser, 'admin');
	await admin.goto('/admin/users');
	await ready(admin);
	const created = await admin.evaluate(async (H) => {
		const body = new FormData();
		for (const [k, v] of Object.entries({ username: 'xssplayer', displayName: H, agencyCode: 'em', systemRole: 'member', password: 'xss-password-1' })) body.append(k, v);
		const res = await fetch('/admin/users?/create', { method: 'POST', body, headers: { 'x-sveltekit-action': 'true', accept: 'application/json' } });
		return (await res.json()).type;
	}, H);
	expect(created).toBe('success');
	await visit(admin, '/admin/users', [H]);

	fac = await signedIn(browser, 'facilitator');
	const api = fac.request;
	const scenario = minimalScenario();
	Object.assign(scenario, { id: 'xss-scenario' });
	scenario.meta.title = bi(H);
	scenario.meta.description = bi(H2);
	scenario.meta.objectives[0].title = bi(H);
	scenario.monitoringPoints[0].name = bi(H);
	scenario.injects[0].message = bi(`${H} ${FORMULA}`);
	scenario.injects[0].from = bi(H2);
	scenario.taskTemplates[0].title = bi(H);
	const layerFeature = { kind: 'command_post', geometry: { type: 'Point', coordinates: [114.3, 30.6] }, label: bi(H), notes: bi(H2) };
	Object.assign(scenario.map, { layers: [{ id: 'common', name: bi(H), features: [{ id: 'F-xss', feature: layerFeature }] }] });
	await ok(await api.post('/api/v1/scenarios', { data: scenario }), 'import scenario');

	const { exercise } = await ok(await api.post('/api/v1/exercises', { data: { title: H, description: H2 } }), 'create exercise');
	exerciseId = exercise.id;
	for (const [username, role] of [['xssplayer', 'player'], ['commander', 'commander'], ['evaluator', 'evaluator']]) {
		await ok(await api.post(`/api/v1/exercises/${exerciseId}/members`, { data: { username, role } }), `add ${username}`);
	}
	await ok(await api.put(`/api/v1/exercises/${exerciseId}/scenario`, { data: { scenarioId: 'xss-scenario', seed: 'xss' } }), 'assign');
	for (const status of ['briefing', 'running']) await ok(await api.post(`/api/v1/exercises/${exerciseId}/transition`, { data: { status } }), status);
	await ok(await api.post(`/api/v1/exercises/${exerciseId}/injects/I-01/deliver`), 'deliver I-01');
	await ok(
		await api.post(`/api/v1/exercises/${exerciseId}/injects/adhoc`, { data: { type: 'information', delivery: 'phone', from: bi(H2), to: { agencies: ['em'] }, message: bi(H) } }),
		'ad-hoc inject'
	);

	const commander = await signedIn(browser, 'commander');
	await ok(await commander.request.post(`/api/v1/exercises/${exerciseId}/log`, { data: { kind: 'order', to: { agencies: ['em'], commander: false }, refs: { entries: [] }, body: { text: `${H} ${H2}` } } }), 'order');
	const player = await signedIn(browser, 'xssplayer', 'xss-password-1');
	await ok(
		await player.request.post(`/api/v1/exercises/${exerciseId}/log`, {
			data: { kind: 'report', to: { commander: true }, refs: { entries: [], inject: 'I-01' }, body: { text: `${FORMULA} ${H}`, stage: 'initial', report: { place: H, measures: H2 } } }
		}),
		'report'
	);
	const evaluator = await signedIn(browser, 'evaluator');
	await ok(await evaluator.request.post(`/api/v1/exercises/${exerciseId}/observations`, { data: { kind: 'improvement', text: H, agency: 'em' } }), 'observation');

	// Map features and a task card with comments, written over the collaboration protocol.
	const cookie = (await player.context().cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
	const actor = { id: 'x', name: H };
	await writeDoc(baseURL as string, cookie, agencyDocName(exerciseId, 'em'), (doc) => {
		addFeature(doc, { kind: 'command_post', geometry: { type: 'Point', coordinates: [114.3, 30.6] }, label: H, notes: H2 }, actor, 'em');
		const id = addTask(doc, { title: bi(H), description: bi(H2), checklist: [bi(H)] }, 'em', actor);
		commentOnTask(doc, id, H, actor);
	});
	await writeDoc(baseURL as string, cookie, commonDocName(exerciseId), (doc) => {
		addFeature(doc, { kind: 'command_post', geometry: { type: 'Point', coordinates: [114.31, 30.61] }, label: H2, notes: H }, actor, null);
	});
	const tasks = await ok(await api.get(`/api/v1/exercises/${exerciseId}/tasks?agency=em`), 'tasks');
	expect(tasks.tasks.map((t: { title: { en: string } }) => t.title.en)).toContain(H);

	const base = `/exercises/${exerciseId}`;
	await visit(fac, '/exercises', [H]);
	await visit(fac, base, [H, H2]);
	await visit(fac, `${base}/log`, [H, H2, FORMULA]);
	await visit(fac, `${base}/tasks`, [H]);
	await visit(fac, `${base}/console`, [H]);
	await visit(fac, `${base}/evaluate`, [H]);
	await visit(player, `${base}/board`, [H], async () => {
		await expect(player.locator('.board[data-ready=true]')).toBeVisible({ timeout: 45_000 });
		await expect(player.locator('[data-link=connected]')).toBeVisible({ timeout: 20_000 });
	});
	// The player's inbox on the board lists the delivered injects.
	await player.locator('#tab-inbox').click();
	await expect(player.locator('body')).toContainText(H);
	await visit(player, `${base}/tasks`, [H]);
	await visit(fac, '/scenarios', [H]);
	await visit(fac, '/scenarios/xss-scenario', [H, H2]);
	await visit(fac, '/scenarios/xss-scenario/edit', []);
	// The editor holds the text in form fields, where it is a value, not markup.
	const values = await fac.locator('input, textarea').evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value));
	expect(values).toContain(H);
});

test('hostile text stays inert in the review, replay, rectifications and every export', async ({ browser }) => {
	const api = fac.request;
	await ok(await api.post(`/api/v1/exercises/${exerciseId}/transition`, { data: { status: 'ended' } }), 'end');
	const item = { id: 'R-xss', problem: bi(`${FORMULA} ${H}`), cause: bi(H2), action: bi(H), element: 'training', agency: 'em', owner: H, dueDate: '2027-01-15', decision: 'accepted' };
	await ok(await api.post(`/api/v1/exercises/${exerciseId}/review`, { data: { summary: `${H} ${H2}`, rectifications: [item] } }), 'save review');

	const base = `/exercises/${exerciseId}`;
	await visit(fac, `${base}/review`, [H, H2]);
	await visit(fac, `${base}/review/print`, [H]);
	await visit(fac, `${base}/replay`, [H]);
	await visit(fac, '/rectifications', [H]);
	const player = await signedIn(browser, 'xssplayer', 'xss-password-1');
	await visit(player, `${base}/hotwash`, [H]);

	// Log CSV: formula-like cells are defused, markup is plain text.
	const csv = await (await api.get(`/api/v1/exercises/${exerciseId}/log?format=csv`)).text();
	expect(csv).toContain(H);
	expect(csv).not.toMatch(/(^|,)"?=cmd/m);
	// JSON export: markup characters are escaped, the text survives a parse.
	const json = await api.get(`/api/v1/exercises/${exerciseId}/review/export?format=json`);
	expect(json.headers()['x-content-type-options']).toBe('nosniff');
	const raw = await json.text();
	expect(raw).not.toMatch(/[<>]/);
	expect(JSON.parse(raw).summary).toBe(`${H} ${H2}`);
	// XLSX: the item is string cells, never a formula.
	const xlsx = await api.get(`/api/v1/exercises/${exerciseId}/review/export?format=xlsx`);
	const wb = new ExcelJS.Workbook();
	await wb.xlsx.load(Buffer.from(await xlsx.body()) as unknown as ArrayBuffer);
	const cells: ExcelJS.Cell[] = [];
	wb.eachSheet((ws) => ws.eachRow((row) => row.eachCell((c) => cells.push(c))));
	const hostile = cells.filter((c) => String(c.value).includes('window.__xss'));
	expect(hostile.length).toBeGreaterThan(0);
	for (const c of cells) expect(c.type, `cell ${c.address}`).not.toBe(ExcelJS.ValueType.Formula);
	// DOCX: downloaded as an attachment (its XML escaping is covered in review-export.test.ts).
	const docx = await api.get(`/api/v1/exercises/${exerciseId}/review/export?format=docx`);
	expect(docx.headers()['content-disposition']).toMatch(/^attachment/);
});
