import { expect, test } from '@playwright/test';
import { SCREENSHOTS, open, signIn, signOut } from './helpers';

test.describe('sign-in', () => {
	test('the sign-in page is Chinese by default and sends signed-out visitors there', async ({ page }) => {
		await open(page, '/');
		await expect(page).toHaveURL(/\/login$/);
		await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
		await expect(page.getByRole('heading', { level: 1, name: '登录' })).toBeVisible();
		await expect(page.getByLabel('用户名')).toBeVisible();
		await expect(page.getByLabel('密码')).toBeVisible();
		await page.screenshot({ path: `${SCREENSHOTS}/login-zh.png` });

		// A protected page remembers where the user was going.
		await open(page, '/admin/users?x=1');
		await expect(page).toHaveURL(/\/login\?next=%2Fadmin%2Fusers%3Fx%3D1$/);
	});

	test('a wrong password and an unknown user get the same generic message', async ({ page }) => {
		await open(page, '/login');
		await page.getByLabel('用户名').fill('commander');
		await page.getByLabel('密码').fill('not-the-password');
		await page.getByRole('button', { name: '登录' }).click();
		const alert = page.getByRole('alert');
		await expect(alert).toHaveText('用户名或密码错误。');
		// The username stays, the password does not.
		await expect(page.getByLabel('用户名')).toHaveValue('commander');
		await expect(page.getByLabel('密码')).toHaveValue('');

		await page.getByLabel('用户名').fill('nobody-here');
		await page.getByLabel('密码').fill('whatever123');
		await page.getByRole('button', { name: '登录' }).click();
		await expect(page.getByLabel('密码')).toHaveValue('');
		await expect(page.getByRole('alert')).toHaveText('用户名或密码错误。');
		await expect(page).toHaveURL(/\/login/);
	});

	test('empty fields show their errors next to the fields', async ({ page }) => {
		await open(page, '/login');
		await page.getByRole('button', { name: '登录' }).click();
		await expect(page.getByRole('alert')).toHaveText('请检查标出的字段。');
		await expect(page.locator('#username-error')).toHaveText(/此项必填/);
		await expect(page.locator('#password-error')).toHaveText(/此项必填/);
		await expect(page.getByLabel('用户名')).toHaveAttribute('aria-invalid', 'true');
		await expect(page.getByLabel('用户名')).toHaveAttribute('aria-describedby', 'username-error');
	});

	test('too many failures are refused with the waiting time', async ({ page }) => {
		await open(page, '/login');
		// Five failures per account within 15 minutes are allowed; the sixth attempt is refused.
		for (let i = 0; i < 5; i++) {
			await page.getByLabel('用户名').fill('ghost-account');
			await page.getByLabel('密码').fill(`wrong-${i}`);
			await page.getByRole('button', { name: '登录' }).click();
			// The refused password is cleared once the answer is in: wait for that, not for the old alert.
			await expect(page.getByLabel('密码')).toHaveValue('');
			await expect(page.getByRole('alert')).toHaveText('用户名或密码错误。');
		}
		await page.getByLabel('密码').fill('wrong-again');
		await page.getByRole('button', { name: '登录' }).click();
		await expect(page.getByRole('alert')).toHaveText(/登录失败次数过多，请在 \d+ 秒后重试。/);
	});

	test('keyboard only: skip link, visible focus, sign in with Tab and Enter', async ({ page }) => {
		await open(page, '/login');
		await page.keyboard.press('Tab');
		const skip = page.getByRole('link', { name: '跳到主要内容' });
		await expect(skip).toBeFocused();
		await expect(skip).toBeInViewport();

		// Tab along until the username field has focus (language switch and brand come first).
		for (let i = 0; i < 12; i++) {
			if (await page.evaluate(() => document.activeElement?.id === 'username')) break;
			await page.keyboard.press('Tab');
		}
		await expect(page.locator('#username')).toBeFocused();
		const outline = await page.evaluate(() => getComputedStyle(document.activeElement as Element).outlineStyle);
		expect(outline).not.toBe('none');

		await page.keyboard.type('evaluator');
		await page.keyboard.press('Tab');
		await expect(page.locator('#password')).toBeFocused();
		await page.keyboard.type('drillboard');
		await page.keyboard.press('Enter');
		await expect(page).toHaveURL(/\/exercises$/);
		await expect(page.getByRole('heading', { level: 1, name: '我的推演' })).toBeVisible();
	});

	test('after sign-in the user returns to the page they asked for; sign-out ends the session', async ({ page, browser }) => {
		await open(page, '/exercises/new');
		await expect(page).toHaveURL(/\/login\?next=%2Fexercises%2Fnew$/);
		await signIn(page, 'commander', undefined, '/exercises/new');
		await expect(page.getByRole('heading', { level: 1, name: '新建推演' })).toBeVisible();

		const cookies = await page.context().cookies();
		const session = cookies.find((c) => c.name === 'drillboard_session');
		expect(session?.httpOnly).toBe(true);
		expect(session?.sameSite).toBe('Lax');

		await signOut(page);
		expect((await page.context().cookies()).find((c) => c.name === 'drillboard_session')).toBeUndefined();

		// The old token is dead on the server too, not just deleted from this browser.
		const other = await browser.newContext();
		await other.addCookies([{ ...(session as NonNullable<typeof session>) }]);
		const p2 = await other.newPage();
		await open(p2, '/exercises');
		await expect(p2).toHaveURL(/\/login$/);
		await other.close();

		// Sign-out is a POST: opening /logout does nothing harmful.
		await signIn(page, 'commander');
		await open(page, '/logout');
		await expect(page).toHaveURL(/\/exercises$/);
	});
});
