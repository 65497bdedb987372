/**
 * Review exports: a DOCX evaluation report in the style of a Chinese government exercise evaluation
 * report (总结报告: title, numbered sections, tables; GB/T 9704-like page and type), an XLSX of the
 * rectification list, and JSON. All are built offline from the report model
 * (src/lib/domain/review/report.ts). User text only ever becomes text runs / string cells, never
 * markup, formulas or fields, so HTML or script in it stays inert.
 */
import { and, desc, eq, inArray } from 'drizzle-orm';
import {
	AlignmentType,
	BorderStyle,
	Document,
	Footer,
	HeadingLevel,
	LineRuleType,
	Packer,
	PageNumber,
	PageOrientation,
	Paragraph,
	ShadingType,
	Table,
	TableCell,
	TableRow,
	TextRun,
	VerticalAlign,
	WidthType,
	type IFontAttributesProperties
} from 'docx';
import ExcelJS from 'exceljs';
import { z } from 'zod';
import type { Db } from '../../db/client';
import { exercises, rectificationItems, reviews } from '../../db/schema';
import { translator } from '../../src/lib/i18n/index';
import { buildReport, type ReportBlock, type ReportDoc, type ReportInput, type ReportLocale, type ReportRectification } from '../../src/lib/domain/review/report';
import { closureByAgency, isRectificationOverdue, type RectificationStatus } from '../../src/lib/domain/review/rectification';
import { authorize, listAgencies, type ExerciseAccess } from '../exercises';
import { notFound } from '../errors';
import { exerciseScenario } from '../scenarios';
import { parse } from '../users';
import { listSelfAssessments } from './evaluation';
import { currentReview, type SavedReview } from './reviews';

export const exportQuerySchema = z.object({
	format: z.enum(['docx', 'xlsx', 'json']),
	lang: z.enum(['zh-CN', 'en']).default('zh-CN'),
	version: z.coerce.number().int().min(1).optional()
});

const today = () => new Date().toISOString().slice(0, 10);

/** Removes characters XML 1.0 cannot hold (Word and Excel refuse such files); keeps tabs and newlines. */
export function xmlSafe(s: string): string {
	// eslint-disable-next-line no-control-regex
	return s.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '');
}

export interface ReviewExport {
	exercise: { id: string; title: string };
	/** The saved version exported, or null for the generated draft. */
	saved: SavedReview | null;
	input: ReportInput;
	tracking: (typeof rectificationItems.$inferSelect & { verifiedByTitle: string | null })[];
}

/**
 * What an export shows: the requested (else the latest) saved version — the reviewers' edited review —
 * or, before anything was saved, the review generated now with its proposed rectification items.
 * Accepted items carry their tracking status.
 */
export async function reviewExport(db: Db, access: ExerciseAccess, version?: number): Promise<ReviewExport> {
	authorize(access, 'review.read');
	const id = access.exercise.id;
	let saved: SavedReview | null;
	let generated;
	if (version) {
		const [row] = await db
			.select()
			.from(reviews)
			.where(and(eq(reviews.exerciseId, id), eq(reviews.version, version)))
			.limit(1);
		if (!row) throw notFound('No such review version.');
		saved = row.content as SavedReview;
		generated = saved.generated;
	} else {
		const current = await currentReview(db, access);
		saved = current.saved;
		generated = saved?.generated ?? current.generated;
	}
	const [agencyRows, scenario, selfAssessments, trackedRows] = await Promise.all([
		listAgencies(db),
		exerciseScenario(db, id),
		listSelfAssessments(db, id),
		db.select().from(rectificationItems).where(eq(rectificationItems.exerciseId, id))
	]);
	const verifierIds = [...new Set(trackedRows.map((r) => r.verifiedBy).filter((x): x is string => !!x))];
	const verifiers = verifierIds.length ? await db.select({ id: exercises.id, title: exercises.title }).from(exercises).where(inArray(exercises.id, verifierIds)) : [];
	const titleOf = new Map(verifiers.map((v) => [v.id, v.title]));
	const tracking = trackedRows.map((r) => ({ ...r, verifiedByTitle: r.verifiedBy ? (titleOf.get(r.verifiedBy) ?? r.verifiedBy) : null }));
	const trackedById = new Map(tracking.map((r) => [r.id, r]));

	const drafts = saved ? saved.rectifications : generated.rectifications.map((r) => ({ ...r, decision: 'proposed' as const }));
	const rectifications: ReportRectification[] = drafts.map((r) => {
		const t = r.decision === 'accepted' ? trackedById.get(`${id}:${r.id}`) : undefined;
		return {
			id: r.id,
			findingId: r.findingId ?? null,
			problem: r.problem,
			cause: r.cause,
			action: r.action,
			capability: r.capability ?? null,
			element: r.element,
			agency: r.agency ?? null,
			owner: t ? t.owner : (r.owner ?? null),
			dueDate: t ? t.dueDate : r.dueDate,
			status: (t?.status ?? r.status) as RectificationStatus,
			decision: r.decision,
			verifiedBy: t?.verifiedByTitle ?? null
		};
	});
	const pkg = scenario?.package ?? null;
	return {
		exercise: { id, title: access.exercise.title },
		saved,
		tracking,
		input: {
			review: generated,
			summary: saved?.summary ?? '',
			version: saved?.version ?? null,
			savedAt: saved?.savedAt ?? null,
			generatedOn: today(),
			agencies: agencyRows.map(({ code, nameZh, nameEn }) => ({ code, nameZh, nameEn })),
			objectives: (pkg?.meta.objectives ?? []).map((o) => ({ id: o.id, title: o.title, capability: o.capability, targets: o.targets.map((x) => ({ id: x.id, text: x.text })) })),
			scenarioDescription: pkg?.meta.description ?? null,
			selfAssessments: selfAssessments.map((s) => ({ agencyCode: s.agencyCode, objectiveId: s.objectiveId, text: s.text })),
			rectifications
		}
	};
}

export function reportFor(data: ReviewExport, locale: ReportLocale): ReportDoc {
	return buildReport(data.input, locale, translator(locale));
}

// ------------------------------------------------------------------------------------------ DOCX

/** Type of a Chinese official document (GB/T 9704): 仿宋 body, 黑体 and 楷体 headings, 小标宋 title. */
const TYPE = {
	'zh-CN': {
		body: { ascii: 'Times New Roman', hAnsi: 'Times New Roman', eastAsia: '仿宋_GB2312', cs: 'Times New Roman' },
		h1: { ascii: 'Times New Roman', hAnsi: 'Times New Roman', eastAsia: '黑体', cs: 'Times New Roman' },
		h2: { ascii: 'Times New Roman', hAnsi: 'Times New Roman', eastAsia: '楷体_GB2312', cs: 'Times New Roman' },
		title: { ascii: 'Times New Roman', hAnsi: 'Times New Roman', eastAsia: '方正小标宋简体', cs: 'Times New Roman' },
		bodySize: 32, // 三号 16 pt
		tableSize: 21, // 五号 10.5 pt
		titleSize: 44, // 二号 22 pt
		line: 560, // fixed 28 pt
		indent: 640 // two characters
	},
	en: {
		body: { ascii: 'Times New Roman', hAnsi: 'Times New Roman', eastAsia: 'SimSun', cs: 'Times New Roman' },
		h1: { ascii: 'Arial', hAnsi: 'Arial', eastAsia: 'SimHei', cs: 'Arial' },
		h2: { ascii: 'Arial', hAnsi: 'Arial', eastAsia: 'SimHei', cs: 'Arial' },
		title: { ascii: 'Arial', hAnsi: 'Arial', eastAsia: 'SimHei', cs: 'Arial' },
		bodySize: 24,
		tableSize: 18,
		titleSize: 36,
		line: 340,
		indent: 0
	}
} satisfies Record<ReportLocale, { body: IFontAttributesProperties; h1: IFontAttributesProperties; h2: IFontAttributesProperties; title: IFontAttributesProperties } & Record<string, unknown>>;

const CM = 567; // twips per centimetre
const PORTRAIT = { width: 21 * CM, height: 29.7 * CM, margin: { top: 3.7 * CM, bottom: 3.5 * CM, left: 2.8 * CM, right: 2.6 * CM } };
const LANDSCAPE_MARGIN = { top: 2.5 * CM, bottom: 2.5 * CM, left: 2.5 * CM, right: 2.5 * CM };

/** Text runs of one (possibly multi-line) string. */
function runs(text: string, opts: { font: IFontAttributesProperties; size: number; bold?: boolean }): TextRun[] {
	return xmlSafe(text)
		.split(/\r?\n/)
		.map((line, i) => new TextRun({ text: line, font: opts.font, size: opts.size, bold: opts.bold, ...(i ? { break: 1 } : {}) }));
}

function tableOf(block: Extract<ReportBlock, { kind: 'table' }>, widthTwips: number, type: (typeof TYPE)[ReportLocale]): Table {
	const total = block.widths.reduce((a, b) => a + b, 0);
	const widths = block.widths.map((w) => Math.floor((w / total) * widthTwips));
	const border = { style: BorderStyle.SINGLE, size: 4, color: '000000' };
	const cell = (text: string, head: boolean, w: number) =>
		new TableCell({
			width: { size: w, type: WidthType.DXA },
			verticalAlign: VerticalAlign.CENTER,
			margins: { top: 40, bottom: 40, left: 80, right: 80 },
			...(head ? { shading: { type: ShadingType.CLEAR, color: 'auto', fill: 'D9D9D9' } } : {}),
			children: [
				new Paragraph({
					alignment: head ? AlignmentType.CENTER : AlignmentType.LEFT,
					spacing: { line: 300, lineRule: LineRuleType.AUTO, before: 0, after: 0 },
					children: runs(text, { font: head ? type.h1 : type.body, size: type.tableSize, bold: head })
				})
			]
		});
	return new Table({
		width: { size: widthTwips, type: WidthType.DXA },
		columnWidths: widths,
		borders: { top: border, bottom: border, left: border, right: border, insideHorizontal: border, insideVertical: border },
		rows: [
			new TableRow({ tableHeader: true, cantSplit: true, children: block.head.map((h, i) => cell(h, true, widths[i])) }),
			...block.rows.map((r) => new TableRow({ cantSplit: true, children: r.map((c, i) => cell(c, false, widths[i])) }))
		]
	});
}

/** The report as a .docx file. */
export async function reportToDocx(report: ReportDoc): Promise<Buffer> {
	const type = TYPE[report.locale];
	const en = report.locale === 'en';
	const body = (text: string, indent = true) =>
		new Paragraph({
			alignment: AlignmentType.JUSTIFIED,
			spacing: { line: type.line, lineRule: en ? LineRuleType.AUTO : LineRuleType.EXACT, after: en ? 120 : 0 },
			indent: indent && type.indent ? { firstLine: type.indent } : undefined,
			children: runs(text, { font: type.body, size: type.bodySize })
		});
	const blocksOf = (blocks: ReportBlock[], width: number): (Paragraph | Table)[] =>
		blocks.flatMap((b): (Paragraph | Table)[] => {
			switch (b.kind) {
				case 'p':
					return [body(b.text)];
				case 'sub':
					return [
						new Paragraph({
							heading: HeadingLevel.HEADING_2,
							spacing: { line: type.line, lineRule: en ? LineRuleType.AUTO : LineRuleType.EXACT, before: en ? 160 : 0, after: en ? 80 : 0 },
							indent: type.indent ? { firstLine: type.indent } : undefined,
							children: runs(b.text, { font: type.h2, size: type.bodySize, bold: en })
						})
					];
				case 'list':
					return b.items.map((item, i) => body(`${i + 1}${en ? '. ' : '．'}${item}`));
				case 'table':
					return [tableOf(b, width, type), new Paragraph({ spacing: { after: 120 }, children: [] })];
			}
		});
	const heading1 = (text: string) =>
		new Paragraph({
			heading: HeadingLevel.HEADING_1,
			spacing: { line: type.line, lineRule: en ? LineRuleType.AUTO : LineRuleType.EXACT, before: en ? 240 : 0, after: en ? 120 : 0 },
			indent: type.indent ? { firstLine: type.indent } : undefined,
			children: runs(text, { font: type.h1, size: type.bodySize, bold: en })
		});
	const footer = new Footer({
		children: [
			new Paragraph({
				alignment: AlignmentType.CENTER,
				children: [new TextRun({ children: ['— ', PageNumber.CURRENT, ' —'], font: type.body, size: 28 })]
			})
		]
	});
	const portraitWidth = PORTRAIT.width - PORTRAIT.margin.left - PORTRAIT.margin.right;
	const landscapeWidth = PORTRAIT.height - LANDSCAPE_MARGIN.left - LANDSCAPE_MARGIN.right;
	const main = report.sections.filter((s) => !s.landscape);
	const annexes = report.sections.filter((s) => s.landscape);
	const titleBlock = [
		new Paragraph({
			alignment: AlignmentType.CENTER,
			spacing: { before: 240, after: 240, line: en ? 480 : 700, lineRule: en ? LineRuleType.AUTO : LineRuleType.EXACT },
			children: runs(report.title, { font: type.title, size: type.titleSize, bold: en })
		}),
		new Paragraph({ alignment: AlignmentType.CENTER, spacing: { after: 120 }, children: runs(report.subtitle, { font: type.h2, size: type.bodySize }) }),
		new Paragraph({ alignment: AlignmentType.CENTER, spacing: { after: 360 }, children: runs(report.meta.join(en ? ' · ' : '　'), { font: type.body, size: type.tableSize + 3 }) })
	];
	const doc = new Document({
		creator: 'Drillboard',
		title: xmlSafe(report.title),
		description: xmlSafe(report.subtitle),
		styles: { default: { document: { run: { font: type.body, size: type.bodySize } } } },
		sections: [
			{
				properties: { page: { size: { width: PORTRAIT.width, height: PORTRAIT.height, orientation: PageOrientation.PORTRAIT }, margin: PORTRAIT.margin } },
				footers: { default: footer },
				children: [...titleBlock, ...main.flatMap((s) => [heading1(s.heading), ...blocksOf(s.blocks, portraitWidth)])]
			},
			...annexes.map((s) => ({
				properties: { page: { size: { width: PORTRAIT.width, height: PORTRAIT.height, orientation: PageOrientation.LANDSCAPE }, margin: LANDSCAPE_MARGIN } },
				footers: { default: footer },
				children: [heading1(s.heading), ...blocksOf(s.blocks, landscapeWidth)]
			}))
		]
	});
	return Packer.toBuffer(doc);
}

// ------------------------------------------------------------------------------------------ XLSX

export interface RectificationSheetRow {
	exercise: string;
	problem: string;
	cause: string;
	action: string;
	capability: string;
	element: string;
	agency: string;
	owner: string;
	dueDate: string;
	status: string;
	decision: string;
	verifiedBy: string;
	overdue: boolean;
	/** For the closure sheet: the agency code and tracking status of accepted items (null otherwise). */
	agencyCode: string | null;
	statusCode: RectificationStatus | null;
}

/** The rectification list of one exercise as rows in one language (rejected proposals left out). */
export function rectificationRows(data: ReviewExport, locale: ReportLocale): RectificationSheetRow[] {
	const t = translator(locale);
	const en = locale === 'en';
	const agency = (code: string | null) => {
		if (!code) return '';
		const a = data.input.agencies.find((x) => x.code === code);
		return a ? (en ? a.nameEn : a.nameZh) : code;
	};
	const text = (b: { zh: string; en: string }) => (en ? b.en : b.zh);
	return data.input.rectifications
		.filter((r) => r.decision !== 'rejected')
		.map((r) => ({
			exercise: data.exercise.title,
			problem: text(r.problem),
			cause: text(r.cause),
			action: text(r.action),
			capability: r.capability ?? '',
			element: t(`review.element.${r.element}`),
			agency: agency(r.agency),
			owner: r.owner ?? '',
			dueDate: r.dueDate,
			status: r.decision === 'accepted' ? t(`review.rect.status.${r.status}`) : '',
			decision: t(`review.rect.decision.${r.decision}`),
			verifiedBy: r.verifiedBy ?? '',
			overdue: r.decision === 'accepted' && isRectificationOverdue(r, today()),
			agencyCode: r.agency,
			statusCode: r.decision === 'accepted' ? r.status : null
		}));
}

const XLSX_COLUMNS: { key: Exclude<keyof RectificationSheetRow, 'overdue' | 'agencyCode' | 'statusCode'>; label: string; width: number }[] = [
	{ key: 'exercise', label: 'report.col.exercise', width: 18 },
	{ key: 'problem', label: 'report.col.problem', width: 40 },
	{ key: 'cause', label: 'report.col.cause', width: 30 },
	{ key: 'action', label: 'report.col.action', width: 40 },
	{ key: 'capability', label: 'report.col.capabilityName', width: 22 },
	{ key: 'element', label: 'report.col.element', width: 12 },
	{ key: 'agency', label: 'report.col.agency', width: 14 },
	{ key: 'owner', label: 'report.col.owner', width: 14 },
	{ key: 'dueDate', label: 'report.col.due', width: 12 },
	{ key: 'status', label: 'report.col.status', width: 12 },
	{ key: 'decision', label: 'report.col.decision', width: 10 },
	{ key: 'verifiedBy', label: 'report.col.verifiedBy', width: 18 }
];

/** Rows as a workbook: the list (title row, header, one row per item; overdue rows tinted) and closure by agency. */
export async function rectificationsToXlsx(title: string, rows: RectificationSheetRow[], locale: ReportLocale, agencies: ReportInput['agencies']): Promise<Buffer> {
	const t = translator(locale);
	const wb = new ExcelJS.Workbook();
	wb.creator = 'Drillboard';
	wb.created = new Date();
	const cols = [{ key: 'no', label: 'report.col.no', width: 6 }, ...XLSX_COLUMNS];
	const ws = wb.addWorksheet(t('report.sheet.items'), {
		views: [{ state: 'frozen', ySplit: 2 }],
		pageSetup: { paperSize: 9, orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0 }
	});
	ws.columns = cols.map((c) => ({ key: c.key, width: c.width }));
	ws.mergeCells(1, 1, 1, cols.length);
	const titleCell = ws.getCell(1, 1);
	titleCell.value = xmlSafe(t('report.sheet.title', { title }));
	titleCell.font = { bold: true, size: 14 };
	titleCell.alignment = { horizontal: 'center', vertical: 'middle' };
	ws.getRow(1).height = 26;
	const head = ws.getRow(2);
	cols.forEach((c, i) => {
		const cell = head.getCell(i + 1);
		cell.value = t(c.label);
		cell.font = { bold: true };
		cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFD9D9D9' } };
		cell.alignment = { horizontal: 'center', vertical: 'middle', wrapText: true };
		cell.border = { top: { style: 'thin' }, bottom: { style: 'thin' }, left: { style: 'thin' }, right: { style: 'thin' } };
	});
	rows.forEach((r, i) => {
		const row = ws.getRow(i + 3);
		// Every cell is a plain string (or number): text is never read as a formula or a hyperlink.
		row.getCell(1).value = i + 1;
		XLSX_COLUMNS.forEach((c, j) => {
			const cell = row.getCell(j + 2);
			cell.value = xmlSafe(r[c.key]);
			cell.alignment = { vertical: 'top', wrapText: true };
		});
		row.eachCell({ includeEmpty: true }, (cell) => {
			cell.border = { top: { style: 'thin' }, bottom: { style: 'thin' }, left: { style: 'thin' }, right: { style: 'thin' } };
			if (r.overdue) cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFFDECEA' } };
		});
	});
	ws.autoFilter = { from: { row: 2, column: 1 }, to: { row: 2, column: cols.length } };

	const closure = wb.addWorksheet(t('report.sheet.closure'));
	closure.columns = [{ width: 20 }, { width: 10 }, { width: 10 }, { width: 10 }, { width: 12 }];
	closure.addRow([t('report.col.agency'), t('report.col.total'), t('report.col.closed'), t('report.col.overdue'), t('report.col.rate')]).font = { bold: true };
	const nameOf = (code: string | null) => {
		const a = agencies.find((x) => x.code === code);
		return code === null ? t('report.commandHq') : a ? (locale === 'en' ? a.nameEn : a.nameZh) : code;
	};
	const accepted = rows.filter((r): r is RectificationSheetRow & { statusCode: RectificationStatus } => r.statusCode !== null);
	for (const c of closureByAgency(
		accepted.map((r) => ({ agency: r.agencyCode, status: r.statusCode, dueDate: r.dueDate })),
		today()
	)) {
		closure.addRow([nameOf(c.agency), c.total, c.closed, c.overdue, c.rate]).getCell(5).numFmt = '0%';
	}
	return Buffer.from(await wb.xlsx.writeBuffer());
}

// ------------------------------------------------------------------------------------------ JSON

/** JSON that stays inert even if pasted into HTML: <, >, & and line separators are escaped. */
export function inertJson(value: unknown): string {
	return JSON.stringify(value, null, 2).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export function reviewJson(data: ReviewExport) {
	return {
		format: 'drillboard-review',
		version: 1,
		exportedAt: new Date().toISOString(),
		exercise: data.exercise,
		reviewVersion: data.saved?.version ?? null,
		savedAt: data.saved?.savedAt ?? null,
		summary: data.input.summary,
		review: data.input.review,
		rectifications: data.input.rectifications,
		selfAssessments: data.input.selfAssessments,
		tracking: data.tracking.map((r) => ({ id: r.id, status: r.status, owner: r.owner, dueDate: r.dueDate, verifiedBy: r.verifiedBy, updatedAt: r.updatedAt }))
	};
}

/** A file name safe for Content-Disposition: ASCII fallback plus the UTF-8 title. */
export function attachment(title: string, ext: string): string {
	const clean = xmlSafe(title).replace(/[\\/:*?"<>|\r\n]+/g, ' ').trim().slice(0, 80) || 'review';
	return `attachment; filename="review.${ext}"; filename*=UTF-8''${encodeURIComponent(`${clean}.${ext}`)}`;
}

/** The export as an HTTP response body with its headers. */
export async function exportReview(db: Db, access: ExerciseAccess, query: unknown): Promise<{ body: Uint8Array<ArrayBuffer> | string; headers: Record<string, string> }> {
	authorize(access, 'review.read'); // before reading the query: a refused role learns nothing more
	const q = parse(exportQuerySchema, query);
	const data = await reviewExport(db, access, q.version);
	const t = translator(q.lang);
	const base = { 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' };
	switch (q.format) {
		case 'docx': {
			const buf = await reportToDocx(reportFor(data, q.lang));
			return {
				body: new Uint8Array(buf),
				headers: { ...base, 'content-type': 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'content-disposition': attachment(t('report.title', { title: data.exercise.title }), 'docx') }
			};
		}
		case 'xlsx': {
			const buf = await rectificationsToXlsx(data.exercise.title, rectificationRows(data, q.lang), q.lang, data.input.agencies);
			return {
				body: new Uint8Array(buf),
				headers: { ...base, 'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'content-disposition': attachment(t('report.sheet.title', { title: data.exercise.title }), 'xlsx') }
			};
		}
		case 'json':
			return {
				body: inertJson(reviewJson(data)),
				headers: { ...base, 'content-type': 'application/json; charset=utf-8', 'content-disposition': attachment(data.exercise.title, 'json') }
			};
	}
}

export async function latestReviewVersion(db: Db, exerciseId: string): Promise<number | null> {
	const [row] = await db.select({ v: reviews.version }).from(reviews).where(eq(reviews.exerciseId, exerciseId)).orderBy(desc(reviews.version)).limit(1);
	return row?.v ?? null;
}
