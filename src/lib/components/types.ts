/** An agency as pages receive it from listAgencies(). */
export interface AgencyInfo {
	code: string;
	nameZh: string;
	nameEn: string;
	color: string;
}

/** The agency's name in the current language. */
export function agencyName(agency: AgencyInfo, locale: string): string {
	return locale === 'en' ? agency.nameEn : agency.nameZh;
}
