import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { mkdirSync, readFileSync } from 'node:fs';
import { apiSignedInPage, SCREENSHOTS } from './helpers';

/**
 * The player side of injects and monitoring on the board: the facilitator (through the API) runs an
 * exercise on a built-in scenario and delivers injects; the fire player gets a visible and audible
 * alert, acknowledges (签收), and errors (409, 403) are shown; the police player never sees a
 * fire-only inject; monitoring points open their live view (chart, camera picture, faults). A traffic
 * capture proves a player's page never receives undelivered injects, the random pool, expected
 * actions or evaluator notes, and nothing of an unannounced scenario before the start.
 */

mkdirSync(SCREENSHOTS, { recursive: true });

const SCENARIO = 'waterlogging-underpass';
type Bilingual = { zh: string; en: string };
interface PkgInject {
	id: string;
	message: Bilingual;
	expectedActions?: Bilingual[];
	evaluatorNotes?: Bilingual;
	tasks?: { agency: string; template: string }[];
}
const pkg = JSON.parse(readFileSync(`db/scenarios/${SCENARIO}.json`, 'utf8')) as {
	meta: { title: Bilingual };
	injects: PkgInject[];
	randomPool: PkgInject[];
	evaluatorNotes?: Bilingual;
	taskTemplates: { id: string; title: Bilingual; description?: Bilingual; checklist?: Bilingual[] }[];
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- API answers, checked by the assertions that use them
async function ok(res: Awaited<ReturnType<APIRequestContext['post']>>, what: string): Promise<any> {
	expect(res.ok(), `${what}: ${res.status()} ${await res.text()}`).toBe(true);
	return res.json();
}

/** Creates an exercise with fire1 and police1 as players on the built-in scenario; returns its id. */
async function setUp(fac: APIRequestContext, title: string, opts: { unannounced?: boolean; randomCount?: number } = {}): Promise<string> {
	const { exercise } = await ok(await fac.post('/api/v1/exercises', { data: { title } }), 'create exercise');
	for (const username of ['fire1', 'police1']) await ok(await fac.post(`/api/v1/exercises/${exercise.id}/members`, { data: { username, role: 'player' } }), `add ${username}`);
	await ok(
		await fac.put(`/api/v1/exercises/${exercise.id}/scenario`, { data: { scenarioId: SCENARIO, unannounced: opts.unannounced ?? false, randomCount: opts.randomCount ?? 0, seed: 'e2e-inbox' } }),
		'assign scenario'
	);
	await transition(fac, exercise.id, 'briefing');
	return exercise.id;
}

const transition = async (fac: APIRequestContext, id: string, status: string) => ok(await fac.post(`/api/v1/exercises/${id}/transition`, { data: { status } }), `→ ${status}`);
const deliver = async (fac: APIRequestContext, id: string, injectId: string) => ok(await fac.post(`/api/v1/exercises/${id}/injects/${injectId}/deliver`), `deliver ${injectId}`);

async function openBoard(page: Page, id: string) {
	await page.goto(`/exercises/${id}/board`);
	await expect(page.locator('.board[data-ready=true]')).toBeVisible({ timeout: 45_000 });
	await expect(page.locator('[data-link=connected]')).toBeVisible({ timeout: 20_000 });
}

/** Pixel of a position on the initial view (the demo-city bounds fitted with 20 px padding). */
async function mapPixel(page: Page, lon: number, lat: number) {
	const box = await page.locator('.maplibregl-canvas').boundingBox();
	if (!box) throw new Error('no map canvas');
	const mx = (x: number) => (x + 180) / 360;
	const my = (y: number) => (1 - Math.log(Math.tan((y * Math.PI) / 180) + 1 / Math.cos((y * Math.PI) / 180)) / Math.PI) / 2;
	const [w, s, e, n] = [114.18, 30.5, 114.42, 30.7];
	const scale = Math.min((box.width - 40) / (mx(e) - mx(w)), (box.height - 40) / (my(s) - my(n)));
	return {
		x: box.x + box.width / 2 + (mx(lon) - (mx(w) + mx(e)) / 2) * scale,
		y: box.y + box.height / 2 + (my(lat) - (my(s) + my(n)) / 2) * scale
	};
}

test('an inject reaches the fire player with an alert; 签收 and its errors; police never sees it', async ({ browser }) => {
	test.setTimeout(240_000);
	const fac = await apiSignedInPage(browser, 'facilitator');
	const id = await setUp(fac.request, 'Inbox e2e');
	await transition(fac.request, id, 'running');

	const fire = await apiSignedInPage(browser, 'fire1');
	const police = await apiSignedInPage(browser, 'police1');
	await Promise.all([openBoard(fire, id), openBoard(police, id)]);

	// The clock ticks in the header; the scenario title is shown (announced exercise).
	const clock = fire.getByTestId('exercise-clock');
	await expect(clock).toHaveAttribute('data-clock-state', 'running');
	const t0 = Number(await clock.getAttribute('data-scenario-ms'));
	await expect.poll(async () => Number(await clock.getAttribute('data-scenario-ms')), { timeout: 5_000 }).toBeGreaterThan(t0 + 900);
	await expect(fire.getByTestId('scenario-title')).toContainText(pkg.meta.title.zh);

	// I-01 (to every agency) was delivered at the start, before the boards opened: unread, no alert.
	await expect(fire.getByTestId('inbox-badge')).toHaveText('1', { timeout: 10_000 });
	await expect(fire.getByTestId('inject-alerts')).toHaveCount(0);

	// A gesture lets the page play sound; then the facilitator delivers a fire-only pool inject.
	await fire.locator('.title h1').click();
	await deliver(fac.request, id, 'R-04');
	const alert = fire.locator('[data-alert="R-04"]');
	await expect(alert).toBeVisible({ timeout: 5_000 });
	await expect(fire.getByTestId('alert-live')).toContainText('收到 1 条新注入信息');
	await expect(fire.locator('.board')).toHaveAttribute('data-alert-sound', 'played');
	await expect(fire.getByTestId('inbox-badge')).toHaveText('2');
	await fire.screenshot({ path: `${SCREENSHOTS}/inbox-alert-fire1.png` });

	// Keyboard: I focuses the alert, Enter opens the inbox at the inject.
	await fire.keyboard.press('i');
	await expect(alert.getByTestId('alert-view')).toBeFocused();
	await fire.keyboard.press('Enter');
	const r04 = fire.locator('article[data-inject="R-04"]');
	await expect(r04).toBeFocused();
	await expect(fire.locator('#tab-inbox')).toHaveAttribute('aria-selected', 'true');
	await expect(r04).toContainText('资源问题');
	await expect(r04).toContainText(pkg.randomPool.find((i) => i.id === 'R-04')?.message.zh ?? '');
	await expect(fire.getByTestId('inbox-badge')).toHaveCount(0);

	// 签收: the agency's state turns to acknowledged for everyone.
	await r04.getByTestId('ack-R-04').click();
	await expect(r04.locator('[data-ack-agency=fire]')).toHaveAttribute('data-acked', 'true', { timeout: 5_000 });
	await expect(r04.getByTestId('ack-R-04')).toHaveCount(0);
	await expect(fire.locator('[data-alert="R-04"]')).toHaveCount(0);
	// The API says so too: a second 签收 is 409, and police may not acknowledge a fire inject (403).
	expect((await fire.request.post(`/api/v1/exercises/${id}/injects/R-04/ack`, { data: {} })).status()).toBe(409);
	expect((await police.request.post(`/api/v1/exercises/${id}/injects/R-04/ack`, { data: {} })).status()).toBe(403);
	await fire.screenshot({ path: `${SCREENSHOTS}/inbox-fire1.png` });

	// police1 sees I-01 but never the fire-only R-04: no alert, not in the inbox.
	await police.locator('#tab-inbox').click();
	await expect(police.locator('article[data-inject="I-01"]')).toBeVisible();
	await expect(police.locator('article[data-inject="R-04"]')).toHaveCount(0);
	await expect(police.locator('[data-alert="R-04"]')).toHaveCount(0);
	await police.screenshot({ path: `${SCREENSHOTS}/inbox-police1.png` });

	// 409 in the page: another fire player acknowledges just before fire1's click reaches the server.
	await deliver(fac.request, id, 'I-04');
	await expect(fire.locator('[data-alert="I-04"]')).toBeVisible({ timeout: 5_000 });
	await fire.route('**/injects/I-04/ack', async (route) => {
		expect((await police.request.post(`/api/v1/exercises/${id}/injects/I-04/ack`, { data: {} })).status()).toBe(403);
		expect((await fire.context().request.post(`/api/v1/exercises/${id}/injects/I-04/ack`, { data: {} })).status()).toBe(201);
		await route.continue();
	});
	const i04 = fire.locator('article[data-inject="I-04"]');
	await i04.getByTestId('ack-I-04').click();
	await expect(i04.getByTestId('ack-error')).toContainText('已签收过此信息（409）');
	await expect(i04.locator('[data-ack-agency=fire]')).toHaveAttribute('data-acked', 'true', { timeout: 5_000 });
	await fire.screenshot({ path: `${SCREENSHOTS}/inbox-ack-error-409.png` });
	// The facilitator sees fire's acknowledgement in the MSEL timeline.
	const timeline = (await ok(await fac.request.get(`/api/v1/exercises/${id}/injects`), 'timeline')) as { injects: { injectId: string; acks?: { agency: string }[] }[] };
	expect(timeline.injects.find((i) => i.injectId === 'I-04')?.acks?.map((a) => a.agency)).toEqual(['fire']);

	// 403 in the page: the exercise ends just before fire1's 签收 from the alert reaches the server.
	await deliver(fac.request, id, 'I-05');
	await expect(fire.locator('[data-alert="I-05"]')).toBeVisible({ timeout: 5_000 });
	await fire.route('**/injects/I-05/ack', async (route) => {
		await transition(fac.request, id, 'ended');
		await route.continue();
	});
	await fire.locator('[data-alert="I-05"]').getByTestId('alert-ack').click();
	await expect(fire.locator('.notices')).toContainText('无权签收', { timeout: 5_000 });
	// The page then learns the exercise ended: no more 签收 offered.
	await expect(fire.getByTestId('board-status')).toHaveText('已结束', { timeout: 5_000 });
	await expect(fire.locator('article[data-inject="I-05"]').getByTestId('ack-I-05')).toHaveCount(0);
	await fire.screenshot({ path: `${SCREENSHOTS}/inbox-ack-error-403.png` });
});

test('monitoring points: map and list open a live view with chart, picture and faults', async ({ browser }) => {
	test.setTimeout(240_000);
	const fac = await apiSignedInPage(browser, 'facilitator');
	const id = await setUp(fac.request, 'Monitoring e2e');
	await transition(fac.request, id, 'running');
	await ok(await fac.request.post(`/api/v1/exercises/${id}/clock`, { data: { action: 'jump', to: 'T+00:30' } }), 'jump');
	// The scheduler delivers what fell due (water rising in the underpass: I-02 … I-05).
	await expect
		.poll(async () => ((await ok(await fac.request.get(`/api/v1/exercises/${id}/injects`), 'timeline')) as { injects: { injectId: string; state: string }[] }).injects.find((i) => i.injectId === 'I-05')?.state, {
			timeout: 15_000
		})
		.toBe('delivered');

	const fire = await apiSignedInPage(browser, 'fire1');
	await openBoard(fire, id);

	// The points are on the map: a click on the river gauge (青江水文站) opens its live view.
	await fire.locator('#tab-monitoring').click();
	await expect(fire.locator('button[data-point="MP-QJ-LEVEL"]')).toBeVisible({ timeout: 10_000 });
	const at = await mapPixel(fire, 114.3, 30.6015);
	const live = fire.getByTestId('live-view');
	// The icons are drawn on the first frames after the points arrive: retry the click until it hits.
	await expect(async () => {
		await fire.mouse.click(at.x, at.y);
		await expect(live).toHaveAttribute('data-point', 'MP-QJ-LEVEL', { timeout: 1_000 });
	}).toPass({ timeout: 15_000 });
	await expect(live.getByTestId('sensor-chart')).toBeVisible();
	await live.getByRole('button', { name: '关闭实时画面' }).click();
	await expect(live).toHaveCount(0);

	// Keyboard: the list opens the underpass depth gauge; its alarm shows against the thresholds.
	const depthBtn = fire.locator('button[data-point="MP-JF-DEPTH"]');
	await depthBtn.focus();
	await fire.keyboard.press('Enter');
	await expect(live).toHaveAttribute('data-point', 'MP-JF-DEPTH');
	await expect(live.locator('#liveview-title')).toBeFocused();
	await expect(live).toHaveAttribute('data-level', 'alarm', { timeout: 10_000 });
	await expect(live.getByTestId('live-value')).toContainText('m');
	await expect(live.locator('[data-threshold=warning]')).toHaveCount(1);
	await expect(live.locator('[data-threshold=alarm]')).toHaveCount(1);
	await expect(live.getByTestId('sensor-chart')).toHaveAttribute('data-points', /^[2-9]|\d\d/);
	await expect(depthBtn).toHaveAttribute('data-show', 'alarm');
	await fire.screenshot({ path: `${SCREENSHOTS}/monitoring-sensor.png` });
	await fire.keyboard.press('Escape');
	await expect(live).toHaveCount(0);
	await expect(depthBtn).toBeFocused();

	// A camera: a generated picture with its name and the scenario time.
	await fire.locator('button[data-point="MP-JF-CAM"]').click();
	await expect(live.getByTestId('camera-feed')).toHaveAttribute('data-fault', 'none');
	await expect(live.getByTestId('camera-time')).toHaveText(/^T\+00:3\d:\d\d$/);
	await fire.screenshot({ path: `${SCREENSHOTS}/monitoring-camera.png` });

	// Faults from the random pool reach the open view through the control document.
	await deliver(fac.request, id, 'R-01'); // MP-JF-CAM offline
	await expect(live.getByTestId('camera-feed')).toHaveAttribute('data-fault', 'offline', { timeout: 10_000 });
	await expect(live.getByTestId('live-fault')).toHaveText('设备离线');
	await expect(fire.locator('button[data-point="MP-JF-CAM"]')).toHaveAttribute('data-show', 'fault');
	await fire.screenshot({ path: `${SCREENSHOTS}/monitoring-offline.png` });

	await deliver(fac.request, id, 'R-06'); // MP-BJ-CAM frozen
	await fire.locator('button[data-point="MP-BJ-CAM"]').click();
	await expect(live.getByTestId('camera-feed')).toHaveAttribute('data-fault', 'frozen', { timeout: 10_000 });
	const frozenAt = await live.getByTestId('camera-time').textContent();
	await fire.waitForTimeout(2_500);
	await expect(live.getByTestId('camera-time')).toHaveText(frozenAt ?? '');
	await fire.screenshot({ path: `${SCREENSHOTS}/monitoring-frozen.png` });

	await deliver(fac.request, id, 'R-02'); // MP-JF-DEPTH transmission lost
	await fire.locator('button[data-point="MP-JF-DEPTH"]').click();
	await expect(live).toHaveAttribute('data-fault', 'transmission_lost', { timeout: 10_000 });
	await expect(live.getByTestId('live-value')).toHaveText('—');
	await fire.screenshot({ path: `${SCREENSHOTS}/monitoring-transmission-lost.png` });

	// English and the smaller screen.
	const small = await apiSignedInPage(browser, 'fire1', { width: 1280, height: 800 });
	await openBoard(small, id);
	await small.locator('button[data-locale=en]').click();
	await expect(small.locator('html')).toHaveAttribute('lang', 'en');
	await expect(small.locator('.board[data-ready=true]')).toBeVisible({ timeout: 45_000 });
	await small.locator('#tab-monitoring').click();
	await small.locator('button[data-point="MP-RAIN-CN"]').click();
	await expect(small.getByTestId('live-view')).toBeVisible();
	await expect(small.getByTestId('sensor-chart')).toBeVisible({ timeout: 10_000 });
	await small.screenshot({ path: `${SCREENSHOTS}/monitoring-1280.png` });
	await expect(small.getByTestId('live-view')).toContainText('Rainfall');
	await small.locator('#tab-inbox').click();
	await expect(small.getByTestId('inbox')).toContainText('Inject inbox');
	await small.screenshot({ path: `${SCREENSHOTS}/inbox-1280-en.png` });
	// Back to Chinese for fire1's other tests.
	await small.locator('button[data-locale="zh-CN"]').click();
	await expect(small.locator('html')).toHaveAttribute('lang', 'zh-CN');
});

test('traffic capture: a player never receives undelivered injects, the pool, expected actions or evaluator notes', async ({ browser }) => {
	test.setTimeout(240_000);
	const fac = await apiSignedInPage(browser, 'facilitator');
	const id = await setUp(fac.request, 'Capture e2e', { unannounced: true, randomCount: 4 });

	const fire = await apiSignedInPage(browser, 'fire1');
	const texts: { phase: 'before' | 'after'; url: string; text: string }[] = [];
	let phase: 'before' | 'after' = 'before';
	const pending: Promise<void>[] = [];
	fire.on('response', (res) => {
		const p = phase;
		pending.push(
			res
				.body()
				.then((b) => void texts.push({ phase: p, url: res.url(), text: b.toString('utf8') }))
				.catch(() => {})
		);
	});
	fire.on('websocket', (ws) => {
		ws.on('framereceived', (f) => texts.push({ phase, url: ws.url(), text: typeof f.payload === 'string' ? f.payload : Buffer.from(f.payload).toString('utf8') }));
	});

	// Unannounced, before the start: no title, no hint, no monitoring point.
	await openBoard(fire, id);
	await expect(fire.getByTestId('scenario-hidden')).toBeVisible();
	await expect(fire.getByTestId('exercise-clock')).toHaveAttribute('data-clock-state', 'notStarted');
	await fire.locator('#tab-monitoring').click();
	await expect(fire.getByTestId('monitoring-hidden')).toBeVisible();
	await fire.screenshot({ path: `${SCREENSHOTS}/inbox-unannounced-briefing.png` });
	await fire.waitForTimeout(1_500);
	await Promise.all(pending);

	// The start: the first inject arrives with an alert, the monitoring points appear.
	phase = 'after';
	await transition(fac.request, id, 'running');
	await expect(fire.locator('[data-alert="I-01"]')).toBeVisible({ timeout: 10_000 });
	await expect(fire.getByTestId('scenario-title')).toBeVisible();
	await deliver(fac.request, id, 'I-03');
	await expect(fire.locator('[data-alert="I-03"]')).toBeVisible({ timeout: 5_000 });
	await fire.locator('button[data-point="MP-JF-DEPTH"]').click();
	await expect(fire.getByTestId('sensor-chart')).toBeVisible({ timeout: 10_000 });
	await fire.waitForTimeout(6_000); // one refresh of the open view
	await fire.locator('#tab-inbox').click();
	await fire.locator('article[data-inject="I-01"]').getByTestId('ack-I-01').click();
	await expect(fire.locator('article[data-inject="I-01"] [data-ack-agency=fire]')).toHaveAttribute('data-acked', 'true', { timeout: 5_000 });
	await fire.reload();
	await expect(fire.locator('.board[data-ready=true]')).toBeVisible({ timeout: 45_000 });
	await fire.waitForTimeout(2_000);
	await Promise.all(pending);

	const timeline = (await ok(await fac.request.get(`/api/v1/exercises/${id}/injects`), 'timeline')) as { injects: { injectId: string; state: string }[] };
	const delivered = new Set(timeline.injects.filter((i) => i.state === 'delivered').map((i) => i.injectId));
	expect([...delivered].sort()).toEqual(['I-01', 'I-03']);

	const all = texts.map((t) => t.text).join('\n');
	const before = texts.filter((t) => t.phase === 'before').map((t) => t.text).join('\n');
	expect(texts.some((t) => t.url.includes('/collab/'))).toBe(true);
	// What a player legitimately holds: delivered injects' messages (sanity check of the capture).
	expect(all).toContain(pkg.injects.find((i) => i.id === 'I-03')?.message.zh);

	// A task checklist item a delivered inject spawned may word an expected action the same way.
	const spawned = [...delivered].flatMap((d) => pkg.injects.find((i) => i.id === d)?.tasks ?? []).map((t) => pkg.taskTemplates.find((x) => x.id === t.template));
	const shownText = JSON.stringify(spawned);
	const secrets: [string, string][] = [];
	for (const i of pkg.injects) if (!delivered.has(i.id)) secrets.push([`${i.id} message`, i.message.zh], [`${i.id} message (en)`, i.message.en]);
	for (const i of pkg.randomPool) secrets.push([`${i.id} pool message`, i.message.zh], [`${i.id} pool message (en)`, i.message.en]);
	for (const i of [...pkg.injects, ...pkg.randomPool]) {
		for (const a of i.expectedActions ?? []) for (const text of [a.zh, a.en]) if (!shownText.includes(text)) secrets.push([`${i.id} expected action`, text]);
		if (i.evaluatorNotes) secrets.push([`${i.id} evaluator notes`, i.evaluatorNotes.zh], [`${i.id} evaluator notes (en)`, i.evaluatorNotes.en]);
	}
	if (pkg.evaluatorNotes) secrets.push(['package evaluator notes', pkg.evaluatorNotes.zh], ['package evaluator notes (en)', pkg.evaluatorNotes.en]);
	expect(secrets.length).toBeGreaterThan(60);
	const leaks = secrets.filter(([, text]) => all.includes(text)).map(([what]) => what);
	expect(leaks).toEqual([]);
	// Field names and the seed in data (API answers, page data, documents); scripts may name fields in labels.
	const data = texts.filter((t) => !/\.(js|css)(\?|$)/.test(t.url)).map((t) => t.text).join('\n');
	for (const word of ['expectedActions', 'evaluatorNotes', 'randomPool', 'e2e-inbox']) expect(data, word).not.toContain(word);

	// Before the start, nothing named the scenario.
	for (const t of [pkg.meta.title.zh, pkg.meta.title.en, SCENARIO]) expect(before, t).not.toContain(t);
});
