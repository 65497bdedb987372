import type { Catalog } from '../types';

/** Names of domain values: exercise roles, lifecycle states and transitions, system roles. */
export default {
	'zh-CN': {
		'role.facilitator': '导调',
		'role.commander': '总指挥',
		'role.player': '参演',
		'role.evaluator': '评估',
		'role.observer': '观摩',
		'status.draft': '草稿',
		'status.briefing': '简报',
		'status.running': '进行中',
		'status.paused': '已暂停',
		'status.ended': '已结束',
		'status.reviewed': '已复盘',
		'transition.draft.briefing': '进入简报',
		'transition.briefing.running': '开始推演',
		'transition.running.paused': '暂停推演',
		'transition.running.ended': '结束推演',
		'transition.paused.running': '继续推演',
		'transition.paused.ended': '结束推演',
		'transition.ended.reviewed': '完成复盘',
		'systemRole.admin': '系统管理员',
		'systemRole.organizer': '组织人员',
		'systemRole.member': '普通成员'
	},
	en: {
		'role.facilitator': 'Facilitator',
		'role.commander': 'Commander',
		'role.player': 'Player',
		'role.evaluator': 'Evaluator',
		'role.observer': 'Observer',
		'status.draft': 'Draft',
		'status.briefing': 'Briefing',
		'status.running': 'Running',
		'status.paused': 'Paused',
		'status.ended': 'Ended',
		'status.reviewed': 'Reviewed',
		'transition.draft.briefing': 'Start briefing',
		'transition.briefing.running': 'Start exercise',
		'transition.running.paused': 'Pause',
		'transition.running.ended': 'End exercise',
		'transition.paused.running': 'Resume',
		'transition.paused.ended': 'End exercise',
		'transition.ended.reviewed': 'Mark as reviewed',
		'systemRole.admin': 'Administrator',
		'systemRole.organizer': 'Organiser',
		'systemRole.member': 'Member'
	}
} satisfies Catalog;
