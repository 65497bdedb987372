import type { Catalog } from '../types';

/** App-wide strings: navigation, sign-in, generic actions and errors. */
export default {
	'zh-CN': {
		'app.name': '联合桌面推演平台',
		'app.short': 'Drillboard',
		'nav.exercises': '推演',
		'nav.admin': '账号管理',
		'nav.signOut': '退出登录',
		'nav.language': '语言',
		'common.save': '保存',
		'common.cancel': '取消',
		'common.loading': '加载中…',
		'error.generic': '出错了，请重试。'
	},
	en: {
		'app.name': 'Joint Tabletop Exercise Platform',
		'app.short': 'Drillboard',
		'nav.exercises': 'Exercises',
		'nav.admin': 'Accounts',
		'nav.signOut': 'Sign out',
		'nav.language': 'Language',
		'common.save': 'Save',
		'common.cancel': 'Cancel',
		'common.loading': 'Loading…',
		'error.generic': 'Something went wrong. Please try again.'
	}
} satisfies Catalog;
