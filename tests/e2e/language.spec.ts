import { expect, test } from '@playwright/test';
import { SCREENSHOTS, exerciseId, hasHorizontalScroll, open, signIn, signOut } from './helpers';

test('the language switch works before sign-in (cookie only)', async ({ page }) => {
	await open(page, '/login');
	await page.getByRole('button', { name: 'English' }).click();
	await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
	await expect(page.locator('html')).toHaveAttribute('lang', 'en');
	await expect(page.getByRole('button', { name: 'English' })).toHaveAttribute('aria-pressed', 'true');
	await page.screenshot({ path: `${SCREENSHOTS}/login-en.png` });
	await page.reload();
	await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
	await page.getByRole('button', { name: '中文' }).click();
	await expect(page.getByRole('heading', { level: 1, name: '登录' })).toBeVisible();
});

test('zh-CN → English is saved to the account and survives sign-out and sign-in', async ({ page, browser }) => {
	await open(page, '/login');
	await signIn(page, 'health1');
	await expect(page.getByRole('heading', { level: 1, name: '我的推演' })).toBeVisible();
	const demo = await exerciseId(page, 'Demo');
	await open(page, `/exercises/${demo}`);

	await page.getByRole('button', { name: 'English' }).click();
	// Same page, now in English: header, status, roles and agency names.
	await expect(page).toHaveURL(new RegExp(`/exercises/${demo}$`));
	await expect(page.getByRole('navigation').getByRole('link', { name: 'Exercises' })).toBeVisible();
	await expect(page.locator('html')).toHaveAttribute('lang', 'en');
	await expect(page.locator('header.head [data-status="briefing"]')).toHaveText('Briefing');
	await expect(page.locator('tr[data-member="health1"]')).toContainText('Player');
	await expect(page.locator('tr[data-member="health1"]')).toContainText('Health');
	await page.screenshot({ path: `${SCREENSHOTS}/exercise-en.png`, fullPage: true });
	await open(page, '/exercises');
	await page.screenshot({ path: `${SCREENSHOTS}/exercises-en.png` });
	// The longer English header still fits 1280×800.
	await page.setViewportSize({ width: 1280, height: 800 });
	expect(await hasHorizontalScroll(page)).toBe(false);
	await open(page, `/exercises/${demo}`);
	expect(await hasHorizontalScroll(page)).toBe(false);
	await page.setViewportSize({ width: 1920, height: 1080 });

	await signOut(page);
	await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
	await signIn(page, 'health1');
	await expect(page.getByRole('heading', { level: 1, name: 'My exercises' })).toBeVisible();

	// A different browser with no cookie: Chinese sign-in page, English once health1 signs in.
	const ctx = await browser.newContext();
	const fresh = await ctx.newPage();
	await open(fresh, '/login');
	await expect(fresh.getByRole('heading', { level: 1, name: '登录' })).toBeVisible();
	await signIn(fresh, 'health1');
	await expect(fresh.getByRole('heading', { level: 1, name: 'My exercises' })).toBeVisible();
	// Other accounts keep their own language.
	await signOut(fresh);
	await signIn(fresh, 'police1');
	await expect(fresh.getByRole('heading', { level: 1, name: '我的推演' })).toBeVisible();
	await ctx.close();

	// Back to Chinese for health1.
	await page.getByRole('button', { name: '中文' }).click();
	await expect(page.getByRole('heading', { level: 1, name: '我的推演' })).toBeVisible();
});
