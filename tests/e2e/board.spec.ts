import { expect, test, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { apiSignedInPage, demoExerciseId, SCREENSHOTS } from './helpers';

/**
 * The live map board: two players of different agencies draw into their own layers and see each
 * other's marks within 2 s; marks survive a reload; a write the server refuses is dropped and resynced.
 * Drawing is driven by clicks on known fractions of the map canvas (the initial view is fixed by
 * the demo-city bounds) and by the keyboard path.
 */

mkdirSync(SCREENSHOTS, { recursive: true });

async function openBoard(page: Page, id: string) {
	await page.goto(`/exercises/${id}/board`);
	await expect(page.locator('.board[data-ready=true]')).toBeVisible({ timeout: 45_000 });
	await expect(page.locator('[data-link=connected]')).toBeVisible({ timeout: 20_000 });
}

const layerCount = (page: Page, layer: string) => page.locator(`[data-layer=${layer}] .count`);

/** Clicks a point of the map canvas given as fractions of its size. */
async function clickMap(page: Page, fx: number, fy: number) {
	const box = await page.locator('.maplibregl-canvas').boundingBox();
	if (!box) throw new Error('no map canvas');
	await page.mouse.click(box.x + box.width * fx, box.y + box.height * fy);
}

async function countOf(page: Page, layer: string): Promise<number> {
	return Number(await layerCount(page, layer).textContent());
}

test('two agencies draw into their own layers and see each other live', async ({ browser }) => {
	test.setTimeout(180_000); // two WebGL pages on a software renderer, and a reload
	const fire = await apiSignedInPage(browser, 'fire1');
	const police = await apiSignedInPage(browser, 'police1');
	const id = await demoExerciseId(fire);
	await Promise.all([openBoard(fire, id), openBoard(police, id)]);

	const fireBefore = await countOf(police, 'fire');
	const policeBefore = await countOf(fire, 'police');

	// Each player may edit the common layer and their own agency's only.
	await expect(fire.locator('[data-layer=fire] .tag.ok')).toBeVisible();
	await expect(fire.locator('[data-layer=police] .tag.ok')).toHaveCount(0);
	await expect(fire.locator('.palette select')).toHaveValue('fire');

	// fire1 places a command post with the palette button, then names it in the inspector.
	await fire.locator('button[data-kind=command_post]').click();
	await clickMap(fire, 0.52, 0.36);
	const label = fire.locator('.inspector input[name=label]');
	await expect(label).toBeFocused();
	await label.fill('消防前方指挥部');
	await label.press('Enter');

	// …and an exclusion zone (circle) around the chemical park: centre click, rim click.
	await fire.keyboard.press('q');
	await clickMap(fire, 0.78, 0.6);
	await clickMap(fire, 0.84, 0.6);
	await label.fill('危化品泄漏禁入区');
	await label.press('Enter');
	await expect(fire.locator('.inspector input[name=radius]')).toHaveValue(/^\d{3,4}$/);

	// police1 draws a cordon area with the keyboard shortcut and four clicks, closed with Enter.
	await police.keyboard.press('o');
	for (const [x, y] of [
		[0.6, 0.55],
		[0.7, 0.55],
		[0.7, 0.65],
		[0.6, 0.65]
	]) {
		await clickMap(police, x, y);
	}
	await police.keyboard.press('Enter');
	const policeLabel = police.locator('.inspector input[name=label]');
	await policeLabel.fill('化工园区外围警戒区');
	await policeLabel.press('Enter');

	// …and an evacuation route (a line finished with a double-click).
	await police.keyboard.press('e');
	await clickMap(police, 0.74, 0.52);
	await clickMap(police, 0.62, 0.42);
	const box = await police.locator('.maplibregl-canvas').boundingBox();
	if (!box) throw new Error('no map canvas');
	await police.mouse.dblclick(box.x + box.width * 0.52, box.y + box.height * 0.3);
	await policeLabel.fill('东湖区群众疏散路线');
	await policeLabel.press('Enter');

	// Each sees the other's marks within 2 s.
	await expect(layerCount(police, 'fire')).toHaveText(String(fireBefore + 2), { timeout: 2_000 });
	await expect(layerCount(fire, 'police')).toHaveText(String(policeBefore + 2), { timeout: 2_000 });

	// …with its label: search finds it on the other side, and selecting it shows it read-only.
	await police.locator('#board-search').fill('消防前方');
	await expect(police.locator('#board-search-results [role=option]').first()).toContainText('消防前方指挥部', { timeout: 2_000 });
	await police.locator('#board-search').press('Enter');
	await expect(police.locator('.inspector')).toContainText('消防前方指挥部');
	await expect(police.locator('.inspector input[name=label]')).toHaveCount(0);
	await expect(police.locator('.inspector')).toContainText('消防 刘强');

	// Presence: both are listed online…
	await expect(fire.locator('[data-user]')).toHaveCount(2, { timeout: 5_000 });
	// …with what the other has selected: fire sees police1 on its command post and follows it there
	// (from a hidden layer, which is shown again), and police then sees fire1 on it too.
	const policeViewing = fire.locator('.viewing', { hasText: '消防前方指挥部' });
	await expect(policeViewing).toBeVisible({ timeout: 2_000 });
	await expect(police.locator('.viewing', { hasText: '危化品泄漏禁入区' })).toBeVisible({ timeout: 2_000 });
	const fireLayerShown = fire.locator('[data-layer=fire] input[type=checkbox]');
	await fireLayerShown.uncheck();
	await policeViewing.getByRole('button').click();
	await expect(fireLayerShown).toBeChecked();
	await expect(fire.locator('.inspector input[name=label]')).toHaveValue('消防前方指挥部');
	await expect(police.locator('.viewing', { hasText: '消防前方指挥部' })).toBeVisible({ timeout: 2_000 });

	// Measure tool: two clicks give a distance.
	await fire.keyboard.press('d');
	await clickMap(fire, 0.3, 0.5);
	await clickMap(fire, 0.5, 0.5);
	await expect(fire.getByTestId('measure-length')).toHaveText(/\d+(\.\d+)? (m|km)/);
	await fire.keyboard.press('Escape');
	// Measuring left the selection, so police no longer sees fire1 on a feature.
	await expect(police.locator('.viewing')).toHaveCount(0, { timeout: 2_000 });

	await fire.mouse.move(400, 400);
	await police.mouse.move(900, 500);
	await fire.waitForTimeout(600);
	await fire.screenshot({ path: `${SCREENSHOTS}/board-fire1.png` });
	await police.screenshot({ path: `${SCREENSHOTS}/board-police1.png` });

	// A reload keeps both marks (server and local store).
	await Promise.all([fire.reload(), police.reload()]);
	await Promise.all([openBoard(fire, id), openBoard(police, id)]);
	await expect(layerCount(fire, 'fire')).toHaveText(String(fireBefore + 2));
	await expect(layerCount(fire, 'police')).toHaveText(String(policeBefore + 2));
	await expect(layerCount(police, 'fire')).toHaveText(String(fireBefore + 2));
	await expect(layerCount(police, 'police')).toHaveText(String(policeBefore + 2));

	// Undo of one's own edit: fire1 adds a point by keyboard only (crosshair + Space), then Ctrl+Z removes it.
	await fire.locator('.maplibregl-canvas').focus();
	await fire.keyboard.press('h');
	await fire.keyboard.press('Space');
	await expect(layerCount(fire, 'fire')).toHaveText(String(fireBefore + 3));
	await expect(layerCount(police, 'fire')).toHaveText(String(fireBefore + 3), { timeout: 2_000 });
	await fire.locator('.maplibregl-canvas').focus();
	await fire.keyboard.press('Control+z');
	await expect(layerCount(fire, 'fire')).toHaveText(String(fireBefore + 2));
	await expect(layerCount(police, 'fire')).toHaveText(String(fireBefore + 2), { timeout: 2_000 });
	await fire.keyboard.press('Control+Shift+z');
	await expect(layerCount(police, 'fire')).toHaveText(String(fireBefore + 3), { timeout: 2_000 });

	// Offline: an edit is kept locally and counted as pending, then sent when the network returns.
	await fire.context().setOffline(true);
	await expect(fire.locator('[data-link=offline]')).toBeVisible();
	await fire.locator('.maplibregl-canvas').focus();
	await fire.keyboard.press('w');
	await fire.keyboard.press('Space');
	await expect(fire.locator('[data-link=offline]')).toHaveAttribute('data-pending', '1');
	await fire.screenshot({ path: `${SCREENSHOTS}/board-offline-pending.png` });
	await fire.context().setOffline(false);
	await expect(fire.locator('[data-link=connected]')).toBeVisible({ timeout: 10_000 });
	await expect(layerCount(police, 'fire')).toHaveText(String(fireBefore + 4), { timeout: 10_000 });

	// Still usable at 1280×800.
	await fire.setViewportSize({ width: 1280, height: 800 });
	await fire.keyboard.press('Escape');
	await fire.waitForTimeout(500);
	await fire.screenshot({ path: `${SCREENSHOTS}/board-fire1-1280.png` });
	await expect(fire.locator('button[data-kind=command_post]')).toBeInViewport();

	await fire.context().close();
	await police.context().close();
});

test('observers read the board but get no editing tools', async ({ browser }) => {
	const observer = await apiSignedInPage(browser, 'observer', { width: 1280, height: 800 });
	const id = await demoExerciseId(observer);
	await openBoard(observer, id);
	await expect(observer.locator('.ro-banner')).toBeVisible();
	await expect(observer.locator('button[data-kind]')).toHaveCount(0);
	await expect(observer.locator('.tag.ok')).toHaveCount(0);
	// Shortcut letters do nothing for a reader.
	await observer.keyboard.press('c');
	await expect(observer.locator('.board')).toHaveAttribute('data-drawing', '');
	// Marks drawn by players are there and open read-only.
	await observer.locator('#board-search').fill('警戒区');
	await observer.locator('#board-search').press('Enter');
	await expect(observer.locator('.inspector')).toBeVisible();
	await expect(observer.locator('.inspector button.danger')).toHaveCount(0);
	await observer.screenshot({ path: `${SCREENSHOTS}/board-observer-1280.png` });
	await observer.context().close();

	// Someone who is not a member gets a 404, as for a missing exercise.
	const outsider = await apiSignedInPage(browser, 'outsider');
	const res = await outsider.goto(`/exercises/${id}/board`);
	expect(res?.status()).toBe(404);
	await outsider.context().close();
});

test('a write refused by the server is dropped and the layer resyncs read-only', async ({ browser }) => {
	test.setTimeout(120_000);
	// A throwaway exercise, so ending it does not disturb the demo.
	const facilitator = await apiSignedInPage(browser, 'facilitator');
	const created = await facilitator.request.post('/api/v1/exercises', { data: { title: `Board refusal ${Date.now()}` } });
	expect(created.status()).toBe(201);
	const id = ((await created.json()) as { exercise: { id: string } }).exercise.id;
	expect((await facilitator.request.post(`/api/v1/exercises/${id}/members`, { data: { username: 'fire1', role: 'player' } })).status()).toBe(201);
	expect((await facilitator.request.post(`/api/v1/exercises/${id}/transition`, { data: { status: 'briefing' } })).status()).toBe(200);

	const fire = await apiSignedInPage(browser, 'fire1');
	await openBoard(fire, id);
	await fire.locator('button[data-kind=shelter]').click();
	await clickMap(fire, 0.5, 0.5);
	await expect(layerCount(fire, 'fire')).toHaveText('1');
	await fire.keyboard.press('Escape');

	// The facilitator ends the exercise; the page still believes it may write.
	for (const status of ['running', 'ended']) {
		expect((await facilitator.request.post(`/api/v1/exercises/${id}/transition`, { data: { status } })).status()).toBe(200);
	}
	await fire.waitForTimeout(2_500); // the collab server re-reads exercise statuses every second

	await fire.locator('button[data-kind=shelter]').click();
	await clickMap(fire, 0.4, 0.4);
	// Refused: a notice, the local copy is dropped (back to the server's one mark), the layer turns read-only.
	await expect(fire.locator('.notice')).toBeVisible({ timeout: 10_000 });
	await expect(layerCount(fire, 'fire')).toHaveText('1', { timeout: 10_000 });
	await expect(fire.locator('[data-layer=fire] .tag.ok')).toHaveCount(0);
	await expect(fire.locator('button[data-kind]')).toHaveCount(0, { timeout: 10_000 });
	await expect(fire.locator('[data-link=connected]')).toBeVisible({ timeout: 10_000 });

	// The refused edit is not resent after a reload either.
	await fire.reload();
	await openBoard(fire, id);
	await expect(layerCount(fire, 'fire')).toHaveText('1');
	await expect(fire.locator('.notice')).toHaveCount(0);
	await fire.context().close();
	await facilitator.context().close();
});

test('edits made offline for a while merge on reconnect, with the pending count shown, and persist', async ({ browser }) => {
	// Two WebGL boards on a software renderer and a reload: each map click can take seconds on a busy CI
	// machine. The offline span itself is ≈ 20 s.
	test.setTimeout(300_000);
	const facilitator = await apiSignedInPage(browser, 'facilitator');
	const created = await facilitator.request.post('/api/v1/exercises', { data: { title: `Board offline ${Date.now()}` } });
	expect(created.status()).toBe(201);
	const id = ((await created.json()) as { exercise: { id: string } }).exercise.id;
	for (const username of ['fire1', 'police1']) expect((await facilitator.request.post(`/api/v1/exercises/${id}/members`, { data: { username, role: 'player' } })).status()).toBe(201);
	expect((await facilitator.request.post(`/api/v1/exercises/${id}/transition`, { data: { status: 'briefing' } })).status()).toBe(200);
	const fire = await apiSignedInPage(browser, 'fire1');
	const police = await apiSignedInPage(browser, 'police1');
	await Promise.all([openBoard(fire, id), openBoard(police, id)]);

	const place = async (page: Page, layer: string, fx: number, fy: number) => {
		await page.locator('.palette select').selectOption(layer);
		await page.locator('button[data-kind=shelter]').click();
		await clickMap(page, fx, fy);
		await page.keyboard.press('Escape');
	};

	// fire1 loses the network and keeps working: four marks in its layer and one in the common layer,
	// spread over ≈ 20 s (the "several minutes" shortened for CI; nothing in the client depends
	// on the length of the outage), while police1 draws two marks in the common layer online.
	await fire.context().setOffline(true);
	await expect(fire.locator('[data-link=offline]')).toBeVisible();
	const fireSpots = [0.3, 0.38, 0.46, 0.54];
	for (const [i, fx] of fireSpots.entries()) {
		await place(fire, 'fire', fx, 0.4);
		await expect(fire.locator('[data-link=offline]')).toHaveAttribute('data-pending', String(i + 1));
		if (i === 1) {
			await place(police, 'common', 0.4, 0.7);
			await place(police, 'common', 0.5, 0.7);
		}
		await fire.waitForTimeout(4_000);
	}
	await place(fire, 'common', 0.62, 0.4);
	await expect(fire.locator('[data-link=offline]')).toHaveAttribute('data-pending', '5');
	await fire.waitForTimeout(4_000);
	// Offline indeed: neither side has the other's marks yet.
	await expect(layerCount(fire, 'fire')).toHaveText('4');
	await expect(layerCount(fire, 'common')).toHaveText('1');
	await expect(layerCount(police, 'common')).toHaveText('2');
	await expect(layerCount(police, 'fire')).toHaveText('0');
	await fire.screenshot({ path: `${SCREENSHOTS}/board-offline-pending-5.png` });

	// Back online: both sets merge in both browsers, and the pending count clears.
	await fire.context().setOffline(false);
	await expect(fire.locator('[data-link=connected]')).toBeVisible({ timeout: 15_000 });
	for (const page of [fire, police]) {
		await expect(layerCount(page, 'fire')).toHaveText('4', { timeout: 10_000 });
		await expect(layerCount(page, 'common')).toHaveText('3', { timeout: 10_000 });
	}
	await expect(fire.locator('[data-link=connected]')).toHaveAttribute('data-pending', '0');

	// …and they were stored: a reload of both shows the merged board.
	await Promise.all([fire.reload(), police.reload()]);
	await Promise.all([openBoard(fire, id), openBoard(police, id)]);
	for (const page of [fire, police]) {
		await expect(layerCount(page, 'fire')).toHaveText('4');
		await expect(layerCount(page, 'common')).toHaveText('3');
	}
	await fire.context().close();
	await police.context().close();
	await facilitator.context().close();
});
