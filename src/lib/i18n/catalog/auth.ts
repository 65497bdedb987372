import type { Catalog } from '../types';

/** Sign-in page. */
export default {
	'zh-CN': {
		'auth.title': '登录',
		'auth.subtitle': '使用您的推演平台账号登录。',
		'auth.username': '用户名',
		'auth.password': '密码',
		'auth.submit': '登录',
		'auth.submitting': '正在登录…',
		'auth.footer': '如忘记密码，请联系系统管理员重置。',
		'auth.error.invalidCredentials': '用户名或密码错误。',
		'auth.error.tooMany': '登录失败次数过多，请在 {seconds} 秒后重试。'
	},
	en: {
		'auth.title': 'Sign in',
		'auth.subtitle': 'Sign in with your exercise platform account.',
		'auth.username': 'Username',
		'auth.password': 'Password',
		'auth.submit': 'Sign in',
		'auth.submitting': 'Signing in…',
		'auth.footer': 'Forgot your password? Ask an administrator to reset it.',
		'auth.error.invalidCredentials': 'Wrong username or password.',
		'auth.error.tooMany': 'Too many failed sign-in attempts. Try again in {seconds} seconds.'
	}
} satisfies Catalog;
