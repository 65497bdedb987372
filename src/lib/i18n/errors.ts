import type { Translate } from './index';

/** The client's view of a failed form action (see FormProblem in $lib/server/form-errors). */
export interface ProblemLike {
	status: number;
	code: string;
	message: string;
	fields: Record<string, string>;
	retryAfter?: number;
}

/**
 * Server validation messages (English, from zod schemas and server/*.ts) → catalog keys.
 * A captured number becomes `{n}`. Unknown messages fall back to a generic text in Chinese and to the
 * server's own (safe, English) text in English.
 */
const FIELD_MESSAGES: [RegExp, string][] = [
	[/^Required\.$/, 'field.required'],
	[/^At least (\d+) characters\.$/, 'field.minChars'],
	[/^At most (\d+) characters\.$/, 'field.maxChars'],
	[/^Letters, digits, dot, dash and underscore only\.$/, 'field.usernameChars'],
	[/^No active user with that name\.$/, 'field.noSuchUser'],
	[/^A player needs an agency\.$/, 'field.agencyRequired'],
	[/^Unknown agency\.$/, 'field.unknownAgency'],
	[/^That username is taken\.$/, 'field.usernameTaken']
];

export const FIELD_MESSAGE_KEYS = FIELD_MESSAGES.map(([, key]) => key);

export function fieldMessage(t: Translate, locale: string, message: string | null | undefined): string | null {
	if (!message) return null;
	for (const [re, key] of FIELD_MESSAGES) {
		const m = re.exec(message);
		if (m) return t(key, { n: m[1] ?? '' });
	}
	return locale === 'en' ? message : t('field.invalid');
}

/** One sentence for the whole failed form, by error code. */
export function problemMessage(t: Translate, p: ProblemLike): string {
	switch (p.code) {
		case 'invalid_credentials':
			return t('auth.error.invalidCredentials');
		case 'too_many_attempts':
			return t('auth.error.tooMany', { seconds: p.retryAfter ?? 60 });
		case 'invalid_input':
			return t('error.invalidInput');
		case 'forbidden':
			return t('error.forbidden');
		case 'not_found':
			return t('error.notFound');
		case 'conflict':
			return t('error.conflict');
		default:
			return t('error.generic');
	}
}

export const PROBLEM_MESSAGE_KEYS = [
	'auth.error.invalidCredentials',
	'auth.error.tooMany',
	'error.invalidInput',
	'error.forbidden',
	'error.notFound',
	'error.conflict',
	'error.generic',
	'field.invalid'
];
