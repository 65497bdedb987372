import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { SCREENSHOTS, open, signedInPage, signIn } from './helpers';

const TITLE = `E2E 青龙水库溃坝导调 ${Date.now().toString(36)}`;
const SCENARIO = 'dam-break-qinglong';
/** A dam-break inject for police, fire and transport with no dependency (due at T+01:35). */
const FIRE_INJECT = 'I-11';
let id = '';

const api = (page: Page, path: string, data: unknown) => page.request.post(`/api/v1/${path}`, { data });

test.describe.serial('scenario library and facilitator console', () => {
	test('the facilitator assigns a built-in scenario, unannounced; players see no title before the start', async ({ page, browser }) => {
		await open(page, '/login');
		await signIn(page, 'facilitator');
		const created = await api(page, 'exercises', { title: TITLE, description: '导调台端到端测试' });
		expect(created.status()).toBe(201);
		id = (await created.json()).exercise.id;
		for (const [username, agencyCode] of [
			['fire1', 'fire'],
			['police1', 'police'],
			['em1', 'em']
		]) {
			expect((await api(page, `exercises/${id}/members`, { username, role: 'player', agencyCode })).status()).toBe(201);
		}

		await open(page, `/exercises/${id}`);
		const card = page.locator('[data-area="scenario"]');
		await expect(card.locator('[data-scenario-state="none"]')).toBeVisible();
		await card.locator('#scenario-id').selectOption(SCENARIO);
		await card.getByText('不打招呼（突击演练）').click();
		await card.getByLabel('随机抽题数').fill('3');
		await card.getByLabel('随机种子（可选）').fill('e2e-seed-1');
		await card.getByRole('button', { name: '指定场景' }).click();
		await expect(card.getByRole('status')).toHaveText('场景已指定。');
		await expect(card.locator(`[data-scenario="${SCENARIO}"]`)).toContainText('青龙水库');
		await expect(card.locator(`[data-scenario="${SCENARIO}"]`)).toContainText('不打招呼');
		await expect(card).toContainText('e2e-seed-1');
		// Open rectification items relevant to the scenario's capabilities (none yet on a fresh database).
		await expect(card.locator('[data-area="open-items"]')).toBeVisible();
		await card.screenshot({ path: `${SCREENSHOTS}/console-assign.png` });

		// The fire player sees that a scenario exists, but not which, until the start.
		const fire = await signedInPage(browser, 'fire1');
		await open(fire, `/exercises/${id}`);
		await expect(fire.locator('[data-scenario-state="hidden"]')).toBeVisible();
		// Not in the page, nor in the data it was sent (the exercise title happens to name the reservoir).
		expect(await fire.content()).not.toContain('溃坝跨区洪水');
		const hidden = await fire.request.get(`/api/v1/exercises/${id}/scenario`);
		expect(await hidden.json()).toEqual({ scenario: { hidden: true } });
		await fire.context().close();
	});

	test('the console starts the exercise, injects now, and shows the fire acknowledgement live', async ({ page, browser }) => {
		test.setTimeout(120_000); // the whole facilitator flow, two browsers and three screenshots
		await open(page, '/login');
		await signIn(page, 'facilitator');
		await open(page, `/exercises/${id}`);
		await page.getByRole('link', { name: '打开导调台' }).click();
		await expect(page).toHaveURL(new RegExp(`/exercises/${id}/console$`));
		await expect(page.locator('[data-link="connected"]')).toBeVisible();
		await expect(page.locator(`tr[data-inject="${FIRE_INJECT}"]`)).toHaveAttribute('data-state', 'upcoming');

		// draft → briefing → running, from the console.
		await page.locator('[data-transition="briefing"]').click();
		await expect(page.locator('[data-transition="running"]')).toBeVisible();
		await page.locator('[data-transition="running"]').click();
		await expect(page.locator('.bar [data-status="running"]')).toBeVisible();
		await expect(page.locator('[data-clock="running"]')).toBeVisible();
		await expect(page.locator('[data-clock]')).toHaveText(/^T\+00:00:0[1-9]/, { timeout: 15_000 });

		// Speed and jump go through the clock API.
		await page.locator('select[data-speed]').selectOption('2');
		await expect(page.getByRole('status').filter({ hasText: '时钟倍速已设为 2×' })).toBeVisible();
		await page.getByLabel('跳转到推演时间').fill('T+00:03');
		await page.getByRole('button', { name: '跳转', exact: true }).click();
		await expect(page.locator('[data-clock]')).toHaveText(/^T\+00:0[3-4]:/);

		// Inject now: the first click arms, the second delivers.
		const row = page.locator(`tr[data-inject="${FIRE_INJECT}"]`);
		await row.locator('[data-inject-now]').click();
		await row.getByRole('button', { name: `确认注入 ${FIRE_INJECT}` }).click();
		await expect(row).toHaveAttribute('data-state', 'delivered');
		const fireCell = row.locator('li[data-agency="fire"]');
		await expect(fireCell).toHaveAttribute('data-ack', 'false');
		await expect(fireCell).toContainText('已送达，未签收');
		await expect(page.locator('[data-area="feed"] [data-feed="inject"]').first()).toContainText(FIRE_INJECT);

		// The fire player acknowledges (签收) through the API; the console shows it without a reload.
		const fire = await signedInPage(browser, 'fire1');
		const ack = await fire.request.post(`/api/v1/exercises/${id}/injects/${FIRE_INJECT}/ack`);
		expect(ack.status()).toBe(201);
		await expect(fireCell).toHaveAttribute('data-ack', 'true');
		await expect(fireCell).toContainText('已签收');
		await expect(row.locator('li[data-agency="police"]')).toHaveAttribute('data-ack', 'false');
		await expect(page.locator('[data-area="feed"] [data-feed="ack"]').first()).toContainText('消防救援 签收 I-11');
		// Now the player learns the scenario.
		await open(fire, `/exercises/${id}`);
		await expect(fire.locator(`[data-scenario="${SCENARIO}"]`)).toContainText('溃坝跨区洪水');
		await fire.context().close();

		// Random roll: a preview first; a veto delivers nothing, a confirmed roll is delivered.
		const roll = page.locator('[data-area="roll"]');
		await roll.locator('[data-roll]').click();
		const preview = roll.locator('[data-preview]');
		await expect(preview).toBeVisible();
		const vetoed = (await preview.getAttribute('data-preview')) as string;
		await roll.locator('[data-roll-veto]').click();
		await expect(page.getByRole('status').filter({ hasText: `已否决 ${vetoed}` })).toBeVisible();
		await roll.locator('[data-roll]').click();
		const kept = (await roll.locator('[data-preview]').getAttribute('data-preview')) as string;
		await roll.locator('[data-roll-deliver]').click();
		await expect(page.locator(`tr[data-inject="${kept}"]`)).toHaveAttribute('data-state', 'delivered');

		// An ad-hoc inject, authored live.
		const adhoc = page.locator('[data-area="adhoc"]');
		await adhoc.getByText('临时注入').click();
		await adhoc.getByLabel('模拟发送方（中文）').fill('省应急管理厅');
		await adhoc.getByText('消防救援').click();
		await adhoc.getByLabel('消息内容（中文）').fill('省厅工作组预计 30 分钟后到达现场，请做好汇报准备。');
		await adhoc.getByRole('button', { name: '立即注入' }).click();
		await expect(page.locator('tr[data-inject="ADHOC-01"]')).toHaveAttribute('data-state', 'delivered');
		await expect(page.locator('[data-overview="fire"] [data-features]')).not.toHaveText('…');
		await expect(page.locator('[data-live-map] canvas')).toBeVisible();

		await adhoc.getByText('临时注入').click();
		await page.evaluate(() => window.scrollTo(0, 0));
		await page.getByRole('button', { name: '↓ 当前' }).click();
		await page.screenshot({ path: `${SCREENSHOTS}/console-running.png` });
		await page.setViewportSize({ width: 1280, height: 800 });
		await page.evaluate(() => window.scrollTo(0, 0));
		await page.screenshot({ path: `${SCREENSHOTS}/console-1280.png` });
		// The English console (the same page, the other catalog).
		await page.setViewportSize({ width: 1920, height: 1080 });
		await page.locator('[data-locale="en"]').click();
		await expect(page.getByRole('heading', { name: 'MSEL timeline' })).toBeVisible();
		await expect(fireCell).toContainText('Acknowledged');
		await page.screenshot({ path: `${SCREENSHOTS}/console-en.png` });
		await page.locator('[data-locale="zh-CN"]').click();
		await expect(page.getByRole('heading', { name: 'MSEL 时间线' })).toBeVisible();
	});

	test('the library lists, exports and views packages; import errors are listed by path', async ({ page }) => {
		await open(page, '/login');
		await signIn(page, 'facilitator');
		await page.getByRole('link', { name: '场景库' }).click();
		await expect(page).toHaveURL(/\/scenarios$/);
		await expect(page.locator('tr[data-scenario]')).toHaveCount(7);
		await page.screenshot({ path: `${SCREENSHOTS}/scenarios-library.png`, fullPage: true });

		const exported = await page.request.get(`/scenarios/${SCENARIO}/export`);
		expect(exported.headers()['content-disposition']).toContain(`${SCENARIO}.json`);
		expect((await exported.json()).id).toBe(SCENARIO);

		// A broken package: nothing is imported and every error is listed by its path.
		const broken = JSON.parse(readFileSync(`db/scenarios/${SCENARIO}.json`, 'utf8'));
		broken.id = 'broken-e2e';
		broken.injects[0].at = 'soon';
		broken.injects[1].to.agencies = [];
		delete broken.meta.title.en;
		const importCard = page.locator('[data-area="import-package"]');
		await importCard.locator('input[name="package"]').setInputFiles({ name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(broken)) });
		await importCard.getByRole('button', { name: '导入' }).click();
		const errors = importCard.locator('[data-import-errors]');
		await expect(errors.getByRole('alert')).toContainText('场景包有 3 处错误，未导入');
		for (const path of ['injects.0.at', 'injects.1.to.agencies', 'meta.title.en']) await expect(errors.locator(`[data-error-path="${path}"]`)).toBeVisible();
		await importCard.screenshot({ path: `${SCREENSHOTS}/scenarios-import-errors.png` });
		await open(page, '/scenarios');
		await expect(page.locator('tr[data-scenario="broken-e2e"]')).toHaveCount(0);

		// Not JSON at all.
		await importCard.locator('input[name="package"]').setInputFiles({ name: 'x.json', mimeType: 'application/json', buffer: Buffer.from('{"format": "drillboard-scenario",\n  oops') });
		await importCard.getByRole('button', { name: '导入' }).click();
		await expect(importCard.getByRole('alert')).toContainText('文件不是有效的 JSON（第 2 行');

		// An MSEL from CSV with bad rows: problems by row and column, nothing imported.
		const msel = page.locator('[data-area="import-msel"]');
		const badCsv = '时间,接收单位,消息,发送方\nsoon,气象局,,值班室\nT+00:10,fire,隧道积水,监控中心\n';
		await msel.locator('input[name="msel"]').setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from(badCsv) });
		await msel.locator('[data-msel-preview]').click();
		await expect(msel.locator('[data-mapping]')).toBeVisible();
		await msel.locator('#msel-id').fill('e2e-bad-msel');
		await msel.locator('[data-msel-import]').click();
		const problems = msel.locator('[data-msel-problems]');
		await expect(problems).toContainText('第 2 行「时间」列');
		await expect(problems).toContainText('未知的单位“气象局”');
		await expect(problems).toContainText('消息为空');

		// A good CSV, mapped and imported as a new package based on a built-in one.
		const csv = [
			'编号,时间,类型,方式,发送方,Sender (EN),接收单位,消息（中文）,Message (EN),预期行动',
			'E-01,T+00:05,信息,电话,市民,A resident,消防救援,锦江华府地下车库进水，有人员被困,Basement car park flooding with people trapped,"启动预案\n派出救援力量"',
			'E-02,00:15,事件,视频,交通监控中心,Traffic CCTV centre,"fire, police",解放路下穿隧道一辆公交车熄火被困,A bus stalled in the Jiefang Rd underpass,'
		].join('\n');
		await open(page, '/scenarios');
		await msel.locator('input[name="msel"]').setInputFiles({ name: 'msel.csv', mimeType: 'text/csv', buffer: Buffer.from(`\uFEFF${csv}`) });
		await msel.locator('#msel-base').selectOption('waterlogging-underpass');
		await msel.locator('[data-msel-preview]').click();
		await expect(msel.locator('[data-map="at"]')).toHaveValue('1');
		await expect(msel.locator('[data-map="message.en"]')).toHaveValue('8');
		await msel.locator('#msel-id').fill('e2e-msel');
		await msel.getByLabel('新名称（中文，可选）').fill('下穿隧道内涝（导入脚本）');
		await msel.screenshot({ path: `${SCREENSHOTS}/scenarios-msel-mapping.png` });
		await msel.locator('[data-msel-import]').click();
		await expect(page).toHaveURL(/\/scenarios\/e2e-msel\?imported=msel$/);
		await expect(page.getByRole('status')).toContainText('共 2 条脚本注入');
		await expect(page.locator('tr[data-msel="E-02"]')).toContainText('公安');

		await open(page, `/scenarios/${SCENARIO}`);
		await expect(page.locator('tr[data-msel]')).toHaveCount(18);
		await page.screenshot({ path: `${SCREENSHOTS}/scenarios-view.png` });
	});

	test('the editor validates inline, previews the map and saves imported packages in place', async ({ page }) => {
		await open(page, '/login');
		await signIn(page, 'facilitator');
		await open(page, '/scenarios/e2e-msel/edit');
		const first = page.locator('tr[data-row="0"]');
		await first.locator('input[data-field="at"]').fill('T+5');
		await expect(first.locator('[data-error="injects.0.at"]')).toBeVisible();
		await expect(page.locator('[data-validation="errors"]')).toBeVisible();
		await expect(page.locator('[data-save]')).toBeDisabled();
		await page.screenshot({ path: `${SCREENSHOTS}/scenarios-editor.png` });
		await first.locator('input[data-field="at"]').fill('T+00:06');
		await expect(page.locator('[data-validation="ok"]')).toBeVisible();
		await expect(page.locator('[data-preview-map] canvas')).toBeVisible();
		await page.locator('[data-save]').click();
		await expect(page).toHaveURL(/\/scenarios\/e2e-msel\?saved=1$/);
		await expect(page.locator('tr[data-msel="E-01"]')).toContainText('T+00:06');

		// A built-in package is read-only: only "save as copy".
		await open(page, `/scenarios/${SCENARIO}/edit`);
		await expect(page.locator('[data-save]')).toHaveCount(0);
		await expect(page.locator('[data-save-copy]')).toBeEnabled();
		// The map preview: the breach inject's flood, highlighted, with the monitoring points.
		await page.locator('tr[data-inject="I-08"]').getByRole('button', { name: '地图' }).click();
		await expect(page.locator('[data-preview-map] canvas')).toBeVisible();
		await page.waitForTimeout(1500);
		await page.locator('section:has(#preview-title)').screenshot({ path: `${SCREENSHOTS}/scenarios-editor-map.png` });
	});

	test('players get 403 for the library and the console; outsiders 404', async ({ browser }) => {
		const fire = await signedInPage(browser, 'fire1');
		expect((await fire.goto('/scenarios'))?.status()).toBe(403);
		expect((await fire.goto(`/scenarios/${SCENARIO}`))?.status()).toBe(403);
		expect((await fire.request.get(`/scenarios/${SCENARIO}/export`)).status()).toBe(403);
		expect((await fire.goto(`/exercises/${id}/console`))?.status()).toBe(403);
		await expect(fire.getByRole('link', { name: '场景库' })).toHaveCount(0);
		await fire.context().close();
		const outsider = await signedInPage(browser, 'outsider');
		expect((await outsider.goto(`/exercises/${id}/console`))?.status()).toBe(404);
		await outsider.context().close();
	});
});
