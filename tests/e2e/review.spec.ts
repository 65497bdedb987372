import { expect, test, type Browser, type Page, type PlaywrightWorkerArgs } from '@playwright/test';
import { readFileSync, statSync } from 'node:fs';
import { PASSWORD, SCREENSHOTS, open, signedInPage } from './helpers';

/**
 * The after-action review end to end: a played exercise is ended → the review is generated → a
 * rectification item is edited and accepted → saved as a version → exported (DOCX, XLSX) → tracked
 * on the rectifications page to verification by a later exercise. Also: the evaluator workspace,
 * the hot wash, the replay, and that players never see evaluator material.
 */
const TITLE = `E2E 复盘 隧道积水 ${Date.now().toString(36)}`;
let id = '';
let laterId = '';

/** One request context per person: a sign-in ends any session its request carries (docs/api.md). */
async function apiAs(playwright: PlaywrightWorkerArgs['playwright'], username: string) {
	const request = await playwright.request.newContext({ baseURL: test.info().project.use.baseURL });
	const r = await request.post('/api/v1/session', { data: { username, password: PASSWORD } });
	expect(r.status(), `sign-in of ${username}`).toBe(201);
	const token = (await r.json()).token as string;
	return async (method: string, path: string, body?: unknown) => {
		const res = await request.fetch(`/api/v1/${path}`, { method, headers: { authorization: `Bearer ${token}` }, ...(body === undefined ? {} : { data: body }) });
		const text = await res.text();
		return { status: res.status(), json: text && res.headers()['content-type']?.startsWith('application/json') ? JSON.parse(text) : null };
	};
}

async function waitDelivered(call: Awaited<ReturnType<typeof apiAs>>, n: number) {
	await expect
		.poll(async () => ((await call('GET', `exercises/${id}/inbox`)).json?.injects ?? []).length, { timeout: 15_000, message: `${n} injects delivered` })
		.toBeGreaterThanOrEqual(n);
}

async function page(browser: Browser, username: string): Promise<Page> {
	return signedInPage(browser, username);
}

test.describe.serial('after-action review', () => {
	test('an exercise is played and ended; the evaluator observes and rates', async ({ playwright, browser }) => {
		test.setTimeout(120_000);
		const fac = await apiAs(playwright, 'facilitator');
		id = (await fac('POST', 'exercises', { title: TITLE })).json.exercise.id;
		for (const [username, role] of [['em1', 'player'], ['fire1', 'player'], ['police1', 'player'], ['commander', 'commander'], ['evaluator', 'evaluator']]) {
			expect((await fac('POST', `exercises/${id}/members`, { username, role })).status).toBe(201);
		}
		expect((await fac('PUT', `exercises/${id}/scenario`, { scenarioId: 'waterlogging-underpass', seed: 'e2e' })).status).toBe(200);
		for (const status of ['briefing', 'running', 'paused']) expect((await fac('POST', `exercises/${id}/transition`, { status })).status).toBe(200);
		await fac('POST', `exercises/${id}/clock`, { action: 'jump', to: 'T+00:02' });
		await waitDelivered(fac, 1);
		const em = await apiAs(playwright, 'em1');
		expect((await em('POST', `exercises/${id}/injects/I-01/ack`)).status).toBe(201);
		await fac('POST', `exercises/${id}/clock`, { action: 'jump', to: 'T+00:09' });
		expect((await em('POST', `exercises/${id}/log`, { kind: 'report', to: { commander: true }, refs: { inject: 'I-01' }, body: { text: '解放路隧道积水约 1.2 米，有车辆被困。', stage: 'initial', report: { time: '08:09', place: '解放路下穿隧道' } } })).status).toBe(201);
		const cmd = await apiAs(playwright, 'commander');
		expect((await cmd('POST', `exercises/${id}/log`, { kind: 'order', to: { agencies: ['fire', 'police'] }, body: { text: '消防立即救援被困车辆，公安封闭隧道两端。' } })).status).toBe(201);

		// The evaluator works in the evaluator workspace while the exercise runs.
		const ev = await page(browser, 'evaluator');
		await open(ev, `/exercises/${id}/evaluate`);
		await expect(ev.getByRole('heading', { level: 1, name: '评估工作台' })).toBeVisible();
		await expect(ev.locator('[data-objective="O1"]')).toContainText('Operational communications');
		const quick = ev.locator('[data-area="quick-observation"]');
		await quick.getByText('待改进', { exact: true }).click();
		await quick.getByLabel('观察到的情况').fill('应急值班员首报未说明被困人数和危化品情况。<script>alert(1)</script>');
		await quick.getByLabel('单位').selectOption('em');
		await quick.getByLabel('注入').selectOption('I-01');
		await expect(quick.getByLabel('能力')).toHaveValue(/Situational assessment/); // I-01's own capability
		await quick.getByRole('button', { name: '添加记录' }).click();
		await expect(ev.getByRole('status').filter({ hasText: '已记录' })).toContainText('T+00:09');
		await expect(ev.locator('[data-observation]').first()).toContainText('<script>alert(1)</script>');
		await quick.getByText('优点', { exact: true }).click();
		await quick.getByLabel('观察到的情况').fill('总指挥部 3 分钟内下达救援指令，分工明确。');
		await quick.getByLabel('观察到的情况').press('Control+Enter');
		await expect(ev.locator('[data-observation]')).toHaveCount(2);
		// Ratings: overall and per agency.
		await ev.locator('[data-rate="O1|O1.1|"]').selectOption('S');
		await ev.locator('[data-rate="O1|O1.1|em"]').selectOption('M');
		await expect(ev.locator('[data-rate="O1|O1.1|em"]')).toHaveValue('M');
		await ev.screenshot({ path: `${SCREENSHOTS}/review-evaluate.png` });

		// Players never see evaluator material: the workspace is refused.
		const fire = await page(browser, 'fire1');
		const refused = await fire.goto(`/exercises/${id}/evaluate`);
		expect(refused?.status()).toBe(403);
		await expect(fire.locator('body')).not.toContainText('首报未说明');

		await fac('POST', `exercises/${id}/clock`, { action: 'jump', to: 'T+00:30' });
		await waitDelivered(fac, 5);
		expect((await fac('POST', `exercises/${id}/transition`, { status: 'ended' })).status).toBe(200);
		laterId = (await fac('POST', 'exercises', { title: `${TITLE} 复测` })).json.exercise.id;

		// After the end, a player writes the agency's self-assessment on the hot wash page.
		await open(fire, `/exercises/${id}/hotwash`);
		await expect(fire.locator('[data-area="hotwash"]')).toHaveCount(0);
		await fire.locator('#self-O2').fill('救援力量到场较快，但与公安的封控协同不够。');
		await fire.locator('[data-objective="O2"]').getByRole('button', { name: '保存' }).click();
		await expect(fire.locator('[data-objective="O2"]').getByRole('status')).toHaveText('已保存');
		await fire.context().close();
		await ev.context().close();
	});

	test('the facilitator generates the review, edits and accepts an item, saves a version and exports', async ({ browser }) => {
		test.setTimeout(90_000);
		const fac = await page(browser, 'facilitator');
		await open(fac, `/exercises/${id}`);
		await fac.locator('[data-open="review"]').click();
		await expect(fac).toHaveURL(new RegExp(`/exercises/${id}/review$`));
		await expect(fac.getByRole('heading', { level: 1, name: '复盘评估' })).toBeVisible();
		await expect(fac.getByText('草稿：尚未保存')).toBeVisible();

		// Findings come from the facts, each linked to its evidence in the timeline.
		const findings = fac.locator('[data-finding]');
		expect(await findings.count()).toBeGreaterThan(3);
		const withEvidence = fac.locator('[data-finding]:has([data-evidence])').first();
		const evidenceId = await withEvidence.locator('[data-evidence]').first().getAttribute('data-evidence');
		await withEvidence.locator('[data-evidence]').first().click();
		const target = fac.locator(`[data-event="${evidenceId}"]`);
		await expect(target).toHaveClass(/hl/);
		await expect(target).toBeInViewport();
		await expect(fac.locator('[data-agency-row="em"]')).toContainText('1/');
		await expect(fac.locator('#observations')).toContainText('<script>alert(1)</script>');
		await expect(fac.locator('#ratings [data-rating="M"]')).toBeVisible();
		await fac.locator('#overview').scrollIntoViewIfNeeded();
		await fac.screenshot({ path: `${SCREENSHOTS}/review-zh.png` });

		// Edit the first proposed item: owner, due date, corrective action; accept it. Reject the second.
		const first = fac.locator('[data-rectification]').first();
		const itemId = await first.getAttribute('data-rectification');
		await first.locator('[data-field="owner"]').fill('市应急局值班科 张敏');
		await first.getByLabel('责任单位').selectOption('em');
		await first.getByLabel('整改措施').fill('修订值班信息报送流程，增加危化品与被困人数必问项。');
		await first.getByLabel('完成时限').fill('2020-01-31');
		await first.getByText('采纳', { exact: true }).click();
		await fac.locator('[data-rectification]').nth(1).getByText('不采纳', { exact: true }).click();
		await fac.getByLabel('评估组总体意见').fill('总体完成演练目标，信息报送要素和签收时效需改进。');
		await expect(fac.getByText('有未保存的修改。', { exact: true })).toBeVisible();
		await first.scrollIntoViewIfNeeded();
		await fac.screenshot({ path: `${SCREENSHOTS}/review-rectifications.png` });
		await fac.locator('[data-action="save-review"]').click();
		await expect(fac.getByRole('status').filter({ hasText: '已保存为第 1 版' })).toBeVisible();
		await expect(fac.locator('[data-version="1"]')).toBeVisible();
		await expect(fac.locator('[data-rectification]').first()).toHaveAttribute('data-decision', 'accepted');
		await expect(fac.locator('[data-rectification]').first()).toContainText('跟踪状态：待整改');

		// Exports: DOCX and XLSX downloads succeed, JSON too.
		for (const [format, ext] of [
			['docx', '.docx'],
			['xlsx', '.xlsx']
		]) {
			const [download] = await Promise.all([fac.waitForEvent('download'), fac.locator(`[data-export="${format}"]`).click()]);
			expect(download.suggestedFilename()).toMatch(new RegExp(`\\${ext}$`));
			const path = await download.path();
			expect(statSync(path).size).toBeGreaterThan(3000);
			expect(readFileSync(path).subarray(0, 2).toString()).toBe('PK');
		}
		// The printable page shows the same report, in Chinese report order.
		await fac.locator('[data-export="print"]').click();
		await expect(fac.locator('[data-report] h1')).toContainText('演练评估总结报告');
		await expect(fac.locator('[data-section="annex"]')).toContainText('市应急局值班科 张敏');
		await expect(fac.locator('[data-report]')).toContainText('四、存在的问题及原因');
		await fac.emulateMedia({ media: 'print' });
		await expect(fac.locator('.topbar')).toBeHidden();
		await fac.screenshot({ path: `${SCREENSHOTS}/review-print.png` });
		await fac.emulateMedia({ media: 'screen' });

		// Hot wash: projector view per objective with observations and self-assessments.
		await open(fac, `/exercises/${id}/hotwash`);
		await expect(fac.locator('[data-area="hotwash"] [data-objective="O2"]')).toContainText('救援力量到场较快');
		await expect(fac.locator('[data-area="hotwash"] [data-objective="O3"]')).toContainText('首报未说明'); // I-01 tests O3
		await fac.getByLabel('逐个目标放映').check();
		await fac.keyboard.press('ArrowRight');
		await expect(fac.locator('[data-area="hotwash"] [data-objective]')).toHaveCount(1);
		await expect(fac.locator('[data-area="hotwash"] [data-objective="O2"]')).toBeVisible();
		await fac.locator('[data-area="hotwash"]').screenshot({ path: `${SCREENSHOTS}/review-hotwash.png` });
		expect(itemId).toBeTruthy();
		await fac.context().close();
	});

	test('the replay shows the board, clock, injects, log and tasks as they were', async ({ browser }) => {
		test.setTimeout(90_000);
		const fac = await page(browser, 'facilitator');
		await open(fac, `/exercises/${id}/replay?at=${10 * 60_000}`);
		await expect(fac.locator('[data-replay-clock]')).toHaveText('T+00:10:00');
		await expect(fac.locator('[data-tab="injects"] .n')).toHaveText('2');
		await expect(fac.locator('[data-replay-inject="I-01"]')).toContainText('✓');
		await fac.locator('[data-tab="log"]').click();
		await expect(fac.locator('[data-replay-log]')).toHaveCount(2);
		await expect(fac.locator('[data-layer-count="common"]')).not.toHaveText('0');
		await expect(fac.locator('.maplibregl-canvas')).toBeVisible();
		await fac.waitForTimeout(1500); // let the map draw its tiles and marks
		await fac.screenshot({ path: `${SCREENSHOTS}/replay-zh.png` });

		// The slider and keyboard move through time; later moments show more.
		const slider = fac.locator('[data-replay-slider]');
		await slider.fill(String(30 * 60_000));
		await expect(fac.locator('[data-replay-clock]')).toHaveText('T+00:30:00');
		await fac.locator('[data-tab="injects"]').click();
		await expect.poll(async () => Number(await fac.locator('[data-tab="injects"] .n').textContent())).toBeGreaterThanOrEqual(5);
		await fac.locator('[data-tab="tasks"]').click();
		await expect(fac.locator('[data-replay-task]').first()).toBeVisible();
		await fac.screenshot({ path: `${SCREENSHOTS}/replay-tasks.png` });
		await slider.focus();
		await fac.keyboard.press('Home');
		await expect(fac.locator('[data-replay-clock]')).toHaveText('T+00:00:00');
		await fac.locator('[data-action="play"]').click();
		await expect.poll(async () => fac.locator('[data-replay-clock]').textContent(), { timeout: 10_000 }).not.toBe('T+00:00:00');
		await fac.locator('[data-action="play"]').click();

		// At 1280×800 the replay still fits.
		await fac.setViewportSize({ width: 1280, height: 800 });
		await fac.screenshot({ path: `${SCREENSHOTS}/replay-1280.png` });
		await fac.context().close();
	});

	test('accepted items are tracked across exercises to verification', async ({ browser }) => {
		test.setTimeout(90_000);
		const fac = await page(browser, 'facilitator');
		await fac.getByRole('link', { name: '整改跟踪' }).click();
		await expect(fac).toHaveURL(/\/rectifications$/);
		const row = fac.locator('tr[data-item]').filter({ hasText: '市应急局值班科 张敏' });
		await expect(row).toHaveAttribute('data-status', 'open');
		// Overdue (due 2020-01-31) stands out.
		await expect(row).toHaveClass(/overdue/);
		await expect(row).toContainText('逾期');
		await expect(fac.locator('tr[data-closure="em"]')).toBeVisible();
		// Filters narrow the list.
		await fac.locator('select[name="exercise"]').selectOption(id);
		await expect(fac).toHaveURL(new RegExp(`exercise=${id}`));
		await fac.locator('select[name="status"]').selectOption('open');
		await expect(fac.locator('tr[data-item]')).toHaveCount(1);
		await fac.screenshot({ path: `${SCREENSHOTS}/rectifications-zh.png`, fullPage: true });

		await row.locator('[data-move="in_progress"]').click();
		await expect(fac.getByRole('status').filter({ hasText: '整改中' })).toBeVisible();
		await fac.locator('select[name="status"]').selectOption('');
		await expect(row).toHaveAttribute('data-status', 'in_progress');
		await row.locator('[data-move="done"]').click();
		await expect(row).toHaveAttribute('data-status', 'done');
		await expect(row).not.toHaveClass(/overdue/);
		// Verification names a later exercise.
		await row.locator('[data-move="verified"]').click();
		const select = row.locator('[data-verify-select]');
		await expect(select.locator(`option[value="${id}"]`)).toHaveCount(0);
		await select.selectOption(laterId);
		await row.locator('[data-action="confirm-verify"]').click();
		await expect(row).toHaveAttribute('data-status', 'verified');
		await expect(row).toContainText(`${TITLE} 复测`);
		await expect(fac.locator('tr[data-closure="em"]')).toContainText('100%');
		await fac.screenshot({ path: `${SCREENSHOTS}/rectifications-verified.png`, fullPage: true });

		await fac.context().close();
	});

	test('players and observers get no review; the review page works in English at 1280×800', async ({ browser }) => {
		const fire = await page(browser, 'fire1');
		for (const path of ['review', 'replay', 'evaluate']) {
			const r = await fire.goto(`/exercises/${id}/${path}`);
			expect(r?.status(), path).toBe(403);
		}
		const res = await fire.request.get(`/api/v1/exercises/${id}/review/export?format=docx`);
		expect(res.status()).toBe(403);
		await fire.context().close();

		const evaluator = await page(browser, 'evaluator');
		await evaluator.setViewportSize({ width: 1280, height: 800 });
		await open(evaluator, `/exercises/${id}/review`);
		await evaluator.locator('[data-locale="en"]').click();
		await expect(evaluator.getByRole('heading', { level: 1, name: 'After-action review' })).toBeVisible();
		await expect(evaluator.locator('[data-version="1"]')).toContainText('Version 1');
		await expect(evaluator.locator('[data-rectification]').first()).toContainText('Accepted');
		expect(await evaluator.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth)).toBe(false);
		await evaluator.screenshot({ path: `${SCREENSHOTS}/review-en-1280.png` });
		// The saved language belongs to the account: switch back for other tests.
		await evaluator.locator('[data-locale="zh-CN"]').click();
		await expect(evaluator.getByRole('heading', { level: 1, name: '复盘评估' })).toBeVisible();
		await evaluator.context().close();
	});
});
