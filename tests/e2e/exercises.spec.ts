import { expect, test, type Page } from '@playwright/test';
import { SCREENSHOTS, exerciseId, hasHorizontalScroll, open, postAction, signedInPage, signIn } from './helpers';

const TITLE = `E2E 城区内涝联合推演 ${Date.now().toString(36)}`;
let id = '';

const membersTable = (page: Page) => page.locator('table.members');
const memberRow = (page: Page, username: string, role: string) => page.locator(`tr[data-member="${username}"][data-role="${role}"]`);

test.describe.serial('exercise set-up and access', () => {
	test('a facilitator creates an exercise and adds a fire player and an observer', async ({ page }) => {
		await open(page, '/login');
		await signIn(page, 'facilitator');
		await expect(page.getByRole('link', { name: '新建推演' })).toBeVisible();
		await expect(page.locator('tr[data-exercise="Demo"]')).toContainText('简报');

		await page.getByRole('link', { name: '新建推演' }).first().click();
		await expect(page).toHaveURL(/\/exercises\/new$/);
		// Validation errors come back next to the field.
		await page.getByRole('button', { name: '创建推演' }).click();
		await expect(page.locator('#title-error')).toHaveText(/此项必填/);

		await page.getByLabel('推演名称').fill(TITLE);
		await page.getByLabel('推演概述').fill('暴雨导致城区多处积水，演练多部门联合处置。');
		await page.getByRole('button', { name: '创建推演' }).click();
		await expect(page).toHaveURL(/\/exercises\/[0-9a-f-]{36}$/);
		id = page.url().split('/').pop() as string;

		await expect(page.getByRole('heading', { level: 1, name: TITLE })).toBeVisible();
		await expect(page.locator('header.head [data-status="draft"]')).toHaveText('草稿');
		await expect(memberRow(page, 'facilitator', 'facilitator')).toContainText('导调');

		// Unknown user: the error sits next to the username field.
		const add = page.locator('form.add-member');
		await add.getByLabel('用户名').fill('no-such-person');
		await add.getByRole('button', { name: '添加' }).click();
		await expect(page.locator('#member-username-error')).toHaveText(/没有使用该用户名的在用账号/);

		// fire1 as a player for Fire Rescue (the agency select appears for players).
		await add.getByLabel('用户名').fill('fire1');
		await add.getByLabel('角色').selectOption('player');
		await add.getByLabel('代表机构').selectOption('fire');
		await add.getByRole('button', { name: '添加' }).click();
		await expect(page.getByRole('status').filter({ hasText: '已将 fire1 添加为参演' })).toBeVisible();
		await expect(memberRow(page, 'fire1', 'player')).toContainText('消防救援');
		await expect(add.getByLabel('用户名')).toHaveValue('');

		// The observer: no agency field for non-players.
		await add.getByLabel('角色').selectOption('observer');
		await expect(add.getByLabel('代表机构')).toHaveCount(0);
		await add.getByLabel('用户名').fill('observer');
		await add.getByRole('button', { name: '添加' }).click();
		await expect(memberRow(page, 'observer', 'observer')).toContainText('观摩');

		// Adding the same role twice is a conflict, explained in Chinese.
		await add.getByLabel('用户名').fill('observer');
		await add.getByRole('button', { name: '添加' }).click();
		await expect(page.getByRole('alert')).toHaveText('observer 已经是本推演的观摩。');
		await expect(membersTable(page).locator('tbody tr')).toHaveCount(3);
	});

	test('the player sees the exercise in the list with role and agency', async ({ browser }) => {
		const page = await signedInPage(browser, 'fire1');
		const row = page.locator(`tr[data-exercise="${TITLE}"]`);
		await expect(row).toBeVisible();
		await expect(row).toContainText('草稿');
		await expect(row).toContainText('参演');
		await expect(row).toContainText('消防救援');
		await expect(page.getByRole('link', { name: '新建推演' })).toHaveCount(0);
		// Members (not organisers) cannot open the new-exercise form either.
		expect((await page.goto('/exercises/new'))?.status()).toBe(403);
		await open(page, '/exercises');
		expect((await postAction(page, '/exercises/new', { title: 'forged', description: '' })).status).toBe(403);
		await page.context().close();
	});

	test('the observer can look but not change anything, even with a forged POST', async ({ browser }) => {
		const page = await signedInPage(browser, 'observer');
		await open(page, `/exercises/${id}`);
		await expect(page.getByRole('heading', { level: 1, name: TITLE })).toBeVisible();
		await expect(page.locator('[data-transition]')).toHaveCount(0);
		await expect(page.locator('form.add-member')).toHaveCount(0);
		await expect(page.getByText('只有导调可以转换推演阶段。')).toBeVisible();

		const transition = await postAction(page, `/exercises/${id}?/transition`, { status: 'briefing' });
		expect(transition.type).toBe('failure');
		expect(transition.status).toBe(403);
		const add = await postAction(page, `/exercises/${id}?/addMember`, { username: 'outsider', role: 'observer', agencyCode: '' });
		expect(add.type).toBe('failure');
		expect(add.status).toBe(403);
		const edit = await postAction(page, `/exercises/${id}?/edit`, { title: 'hijacked', description: '' });
		expect(edit.status).toBe(403);

		await page.reload();
		await expect(page.locator('header.head [data-status="draft"]')).toBeVisible();
		await expect(page.getByRole('heading', { level: 1, name: TITLE })).toBeVisible();
		await expect(page.locator('tr[data-member="outsider"]')).toHaveCount(0);
		await page.context().close();
	});

	test('a non-member gets 404 for the exercise, its actions and a malformed id', async ({ browser }) => {
		const page = await signedInPage(browser, 'outsider');
		await expect(page.getByRole('heading', { name: '暂无推演' })).toBeVisible();
		const res = await page.goto(`/exercises/${id}`);
		expect(res?.status()).toBe(404);
		await expect(page.getByText('找不到该页面或推演，或您无权查看。')).toBeVisible();
		expect((await page.goto('/exercises/not-a-uuid'))?.status()).toBe(404);
		const forged = await postAction(page, `/exercises/${id}?/transition`, { status: 'briefing' });
		expect(forged.status).toBe(404);
		await page.context().close();
	});

	test('the facilitator moves the lifecycle on; a stale page gets the reason for a 409', async ({ page, browser }) => {
		await open(page, '/login');
		await signIn(page, 'facilitator');
		await open(page, `/exercises/${id}`);
		await page.getByRole('button', { name: '进入简报' }).click();
		await expect(page.locator('header.head [data-status="briefing"]')).toHaveText('简报');
		await expect(page.getByRole('status').filter({ hasText: '推演已转为「简报」' })).toBeVisible();

		// A second facilitator window still shows "briefing" when the first starts the exercise.
		const stale = await signedInPage(browser, 'facilitator');
		await open(stale, `/exercises/${id}`);
		await page.getByRole('button', { name: '开始推演' }).click();
		await expect(page.locator('header.head [data-status="running"]')).toBeVisible();
		await stale.getByRole('button', { name: '开始推演' }).click();
		await expect(stale.getByRole('alert')).toHaveText('推演已处于「进行中」阶段（可能已由其他导调操作）。当前可转为：已暂停、已结束。');
		// …and the page then shows the real state with the right buttons.
		await expect(stale.locator('header.head [data-status="running"]')).toBeVisible();
		await expect(stale.getByRole('button', { name: '暂停推演' })).toBeVisible();
		await stale.context().close();

		// A forged move the lifecycle does not allow is refused with 409.
		const forged = await postAction(page, `/exercises/${id}?/transition`, { status: 'draft' });
		expect(forged.status).toBe(409);
	});

	test('1280×800: the exercise, list and overview pages have no horizontal scroll', async ({ page }) => {
		await page.setViewportSize({ width: 1280, height: 800 });
		await open(page, '/login');
		await signIn(page, 'facilitator');
		expect(await hasHorizontalScroll(page)).toBe(false);
		const demo = await exerciseId(page, 'Demo');
		for (const path of [`/exercises/${id}`, `/exercises/${demo}`, '/exercises/new']) {
			await open(page, path);
			await expect(page.locator('h1')).toBeVisible();
			expect(await hasHorizontalScroll(page), path).toBe(false);
		}
		await open(page, `/exercises/${demo}`);
		await page.screenshot({ path: `${SCREENSHOTS}/exercise-zh-1280.png`, fullPage: true });
	});

	test('screenshot: the demo exercise overview at 1920×1080', async ({ page }) => {
		await open(page, '/login');
		await signIn(page, 'facilitator');
		const demo = await exerciseId(page, 'Demo');
		await expect(page.locator(`tr[data-exercise="${TITLE}"]`)).toContainText('进行中');
		await page.screenshot({ path: `${SCREENSHOTS}/exercises-zh.png` });
		await open(page, `/exercises/${demo}`);
		await expect(page.locator('header.head [data-status="briefing"]')).toBeVisible();
		await expect(page.locator('[data-area="map-board"] a')).toHaveAttribute('href', `/exercises/${demo}/board`);
		await page.screenshot({ path: `${SCREENSHOTS}/exercise-zh.png`, fullPage: true });
	});
});
