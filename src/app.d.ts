import type { ValidSession } from '$server/auth/sessions';
import type { Locale } from '$lib/i18n/locales';

declare global {
	namespace App {
		interface Locals {
			session: ValidSession | null;
			locale: Locale;
		}
		interface Error {
			message: string;
			code?: string;
		}
	}
}

export {};
