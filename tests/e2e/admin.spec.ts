import { expect, test } from '@playwright/test';
import { SCREENSHOTS, hasHorizontalScroll, open, postAction, signedInPage, signIn, signOut } from './helpers';

const NEW_USER = `water${Date.now().toString(36).slice(-5)}`;

test.describe.serial('account administration', () => {
	test('only administrators reach the accounts page or its actions', async ({ browser }) => {
		const page = await signedInPage(browser, 'facilitator');
		await expect(page.getByRole('navigation').getByRole('link', { name: '账号管理' })).toHaveCount(0);
		const res = await page.goto('/admin/users');
		expect(res?.status()).toBe(403);
		await expect(page.getByText('您的权限不允许执行此操作。')).toBeVisible();
		const forged = await postAction(page, '/admin/users?/create', {
			username: 'sneaky',
			displayName: 'Sneaky',
			password: 'password123',
			systemRole: 'admin',
			agencyCode: ''
		});
		expect(forged.status).toBe(403);
		expect(forged.type).toBe('error');
		await page.context().close();
	});

	test('an administrator creates, resets, deactivates and reactivates an account', async ({ page, browser }) => {
		await open(page, '/login');
		await signIn(page, 'admin');
		await page.getByRole('navigation').getByRole('link', { name: '账号管理' }).click();
		await expect(page).toHaveURL(/\/admin\/users$/);
		await expect(page.locator('tr[data-user="fire1"]')).toContainText('消防救援');
		await expect(page.locator('tr[data-user="admin"]')).toContainText('系统管理员');
		await page.screenshot({ path: `${SCREENSHOTS}/admin-users-zh.png`, fullPage: true });

		const create = page.locator('section.create');
		// Field errors next to their fields, translated.
		await create.getByLabel('用户名').fill('x');
		await create.getByLabel('姓名').fill('水利 测试');
		await create.getByLabel('初始密码').fill('short');
		await create.getByRole('button', { name: '创建账号' }).click();
		await expect(page.locator('#new-username-error')).toHaveText(/至少 2 个字符/);
		await expect(page.locator('#new-password-error')).toHaveText(/至少 8 个字符/);
		await expect(create.getByLabel('姓名')).toHaveValue('水利 测试');

		// A taken username.
		await create.getByLabel('用户名').fill('fire1');
		await create.getByLabel('初始密码').fill('password123');
		await create.getByRole('button', { name: '创建账号' }).click();
		await expect(page.locator('#new-username-error')).toHaveText(/该用户名已被使用/);

		await create.getByLabel('用户名').fill(NEW_USER);
		await create.getByLabel('所属机构').selectOption('water');
		await create.getByLabel('系统角色').selectOption('member');
		await create.getByLabel('初始密码').fill('first-password');
		await create.getByRole('button', { name: '创建账号' }).click();
		await expect(page.getByRole('status').filter({ hasText: `已创建账号 ${NEW_USER}` })).toBeVisible();
		const row = page.locator(`tr[data-user="${NEW_USER}"]`);
		await expect(row).toContainText('水利');
		await expect(row).toContainText('在用');

		// The new account signs in with its initial password.
		const ctx = await browser.newContext();
		const p2 = await ctx.newPage();
		await open(p2, '/login');
		await signIn(p2, NEW_USER, 'first-password');
		await expect(p2.getByRole('heading', { name: '暂无推演' })).toBeVisible();

		// Reset the password: too short is refused in the row; then the old session ends, the new password works.
		await row.getByText('重置密码').click();
		await row.getByLabel(`${NEW_USER} 的新密码`).fill('short');
		await row.getByRole('button', { name: '确认重置' }).click();
		await expect(row.getByRole('alert')).toHaveText('至少 8 个字符。');
		await expect(row.getByLabel(`${NEW_USER} 的新密码`)).toHaveAttribute('aria-invalid', 'true');
		await row.getByLabel(`${NEW_USER} 的新密码`).fill('second-password');
		await row.getByRole('button', { name: '确认重置' }).click();
		await expect(page.getByRole('status').filter({ hasText: `已重置 ${NEW_USER} 的密码` })).toBeVisible();
		await p2.reload();
		await expect(p2).toHaveURL(/\/login/);
		await signIn(p2, NEW_USER, 'second-password');

		// Deactivate: signed out and cannot sign in; reactivate: can again.
		await row.getByRole('button', { name: '停用' }).click();
		await expect(row).toContainText('已停用');
		await p2.reload();
		await expect(p2).toHaveURL(/\/login/);
		await p2.getByLabel('用户名').fill(NEW_USER);
		await p2.getByLabel('密码').fill('second-password');
		await p2.getByRole('button', { name: '登录' }).click();
		await expect(p2.getByRole('alert')).toHaveText('用户名或密码错误。');

		await row.getByRole('button', { name: '启用' }).click();
		await expect(row).toContainText('在用');
		await signIn(p2, NEW_USER, 'second-password');
		await ctx.close();

		// Administrators cannot lock themselves out.
		await expect(page.locator('tr[data-user="admin"]').getByRole('button', { name: '停用' })).toHaveCount(0);

		// The accounts page fits a 1280×800 screen, with a row's reset form open.
		await page.setViewportSize({ width: 1280, height: 800 });
		await page.locator('tr[data-user="commander"]').getByText('重置密码').click();
		expect(await hasHorizontalScroll(page)).toBe(false);
		await signOut(page);
	});
});
