/**
 * MSEL import from a spreadsheet (CSV, or XLSX read on the server): the table is read into rows of
 * cells, each MSEL field is mapped to a column (guessed from the header, corrected by the planner), the
 * rows become MSEL injects and those go into a new package based on an existing one. Pure: no I/O, no
 * exceptions for bad input — every problem comes back with its sheet row and column
 * (docs/scenario-format.md, "Importing an MSEL from CSV or XLSX").
 */
import { formatScenarioTime, parseScenarioTime } from '../clock';
import { DELIVERY_METHODS, INJECT_TYPES, type MselInject, type ScenarioPackage } from './schema';
import { validatePackage, type PackageError } from './validate';

/** A cell as it comes from a sheet: CSV gives text, XLSX also numbers (a time is a fraction of a day). */
export type Cell = string | number | boolean | null;

export interface Table {
	headers: string[];
	/** Data rows (without the header row), each as long as it is in the file. */
	rows: Cell[][];
}

/** Limits: the package format allows 500 MSEL injects; nobody maps more than 60 columns. */
export const MAX_MSEL_ROWS = 500;
export const MAX_MSEL_COLUMNS = 60;
/**
 * Upload limit for an MSEL file (a CSV or an XLSX workbook); a 500-row MSEL is far smaller. Form
 * uploads are also capped by the server's request limit (adapter-node's BODY_SIZE_LIMIT, 512 KB).
 */
export const MAX_MSEL_FILE_BYTES = 500 * 1024;
/** Upload limit for a package file sent through the library page's form (the JSON API takes 5 MB). */
export const MAX_FORM_PACKAGE_BYTES = 500 * 1024;

/** The MSEL fields a column can fill. Bilingual fields have one column per language. */
export const MSEL_FIELDS = [
	'id',
	'at',
	'type',
	'delivery',
	'from.zh',
	'from.en',
	'to',
	'message.zh',
	'message.en',
	'expectedActions.zh',
	'expectedActions.en',
	'objective',
	'capability',
	'evaluatorNotes.zh',
	'evaluatorNotes.en',
	'dependsOn'
] as const;
export type MselField = (typeof MSEL_FIELDS)[number];

/** Field → column index (0-based) or null when the field is not in the file. */
export type ColumnMapping = Record<MselField, number | null>;

export interface ImportProblem {
	/** Row number as the spreadsheet shows it (the header is row 1), or null for the whole file. */
	row: number | null;
	/** Header of the column, when one column is at fault. */
	column: string | null;
	field: MselField | 'file' | 'package' | null;
	/** Stable code for translation (`scn.msel.problem.<code>`), with its values. */
	code: string;
	params?: Record<string, string | number>;
	/** The same in English (the fallback, and what tests and logs read). */
	message: string;
}

// ---------------------------------------------------------------- text and CSV

/** UTF-8 (with or without BOM); a file that is not valid UTF-8 is read as GB18030 (Chinese Excel's "CSV"). */
export function decodeText(bytes: Uint8Array): string {
	let text: string;
	try {
		text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
	} catch {
		text = new TextDecoder('gb18030').decode(bytes);
	}
	return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Comma, semicolon or tab: whichever occurs most in the first line outside quotes. */
export function detectDelimiter(text: string): string {
	const counts = new Map([
		[',', 0],
		[';', 0],
		['\t', 0]
	]);
	let quoted = false;
	for (const c of text) {
		if (c === '"') quoted = !quoted;
		else if (!quoted && (c === '\n' || c === '\r')) break;
		else if (!quoted && counts.has(c)) counts.set(c, (counts.get(c) ?? 0) + 1);
	}
	let best = ',';
	for (const [d, n] of counts) if (n > (counts.get(best) ?? 0)) best = d;
	return best;
}

/**
 * RFC 4180 CSV: quoted fields may hold the delimiter, quotes ("") and line breaks; CRLF or LF.
 * Blank lines are dropped. Returns null rows when a quote is never closed.
 */
export function parseCsv(text: string, delimiter = detectDelimiter(text)): { rows: string[][]; unclosedQuote: boolean } {
	const rows: string[][] = [];
	let row: string[] = [];
	let field = '';
	let quoted = false;
	let i = 0;
	const endRow = () => {
		row.push(field);
		field = '';
		if (row.some((c) => c.trim() !== '')) rows.push(row);
		row = [];
	};
	while (i < text.length) {
		const c = text[i];
		if (quoted) {
			if (c === '"') {
				if (text[i + 1] === '"') {
					field += '"';
					i++;
				} else quoted = false;
			} else field += c;
		} else if (c === '"' && field.trim() === '') {
			field = '';
			quoted = true;
		} else if (c === delimiter) {
			row.push(field);
			field = '';
		} else if (c === '\r' || c === '\n') {
			if (c === '\r' && text[i + 1] === '\n') i++;
			endRow();
		} else field += c;
		i++;
	}
	if (field !== '' || row.length) endRow();
	return { rows, unclosedQuote: quoted };
}

/** The first non-empty row is the header. */
export function tableFromRows(rows: Cell[][]): Table {
	const [head = [], ...rest] = rows;
	return { headers: head.map((h) => cellText(h)), rows: rest };
}

/** Reads a CSV file's bytes into a table, or says why it cannot. */
export function readCsv(bytes: Uint8Array): { ok: true; table: Table } | { ok: false; problem: ImportProblem } {
	const text = decodeText(bytes);
	if (text.includes('\u0000')) return { ok: false, problem: fileProblem('notText', 'This is not a text (CSV) file.') };
	const { rows, unclosedQuote } = parseCsv(text);
	if (unclosedQuote) return { ok: false, problem: fileProblem('unclosedQuote', 'A quoted cell is never closed (a " is missing).') };
	return checkTable(tableFromRows(rows));
}

export const fileProblem = (code: string, message: string, params?: Record<string, string | number>): ImportProblem => ({ row: null, column: null, field: 'file', code, params, message });

/** Bounds and emptiness, for tables from either format. */
export function checkTable(table: Table): { ok: true; table: Table } | { ok: false; problem: ImportProblem } {
	if (!table.headers.some((h) => h.trim())) return { ok: false, problem: fileProblem('noHeader', 'The file has no header row.') };
	if (!table.rows.length) return { ok: false, problem: fileProblem('noRows', 'The file has a header but no rows.') };
	if (table.rows.length > MAX_MSEL_ROWS) return { ok: false, problem: fileProblem('tooManyRows', `At most ${MAX_MSEL_ROWS} rows (the file has ${table.rows.length}).`, { max: MAX_MSEL_ROWS, n: table.rows.length }) };
	const width = Math.max(table.headers.length, ...table.rows.map((r) => r.length));
	if (width > MAX_MSEL_COLUMNS) return { ok: false, problem: fileProblem('tooManyColumns', `At most ${MAX_MSEL_COLUMNS} columns (the file has ${width}).`, { max: MAX_MSEL_COLUMNS, n: width }) };
	return { ok: true, table };
}

// ---------------------------------------------------------------- column mapping

const norm = (s: string) =>
	s
		.normalize('NFKC')
		.toLowerCase()
		.replace(/[\s_\-.:：()（）[\]【】/#]+/g, '');

/** Header words per field (after `norm`). Bilingual fields share one list; the language is decided apart. */
const SYNONYMS: [base: string, words: string[]][] = [
	['id', ['id', 'no', 'number', 'nr', '编号', '序号', '注入编号', 'injectid', 'injectno', 'injectnumber']],
	['at', ['at', 'time', 'scenariotime', 'injecttime', 't', '时间', '演练时间', '场景时间', '注入时间', '推演时间', '时刻']],
	['type', ['type', 'injecttype', 'kind', '类型', '注入类型', '信息类型']],
	['delivery', ['delivery', 'method', 'deliverymethod', 'channel', 'via', '方式', '传递方式', '注入方式', '送达方式', '渠道']],
	['from', ['from', 'sender', 'source', 'simulatedsender', '发送方', '来源', '模拟发送方', '发送单位', '发件方', '发送人']],
	['to', ['to', 'recipient', 'recipients', 'target', 'targets', 'agency', 'agencies', '接收方', '接收单位', '对象', '注入对象', '目标单位', '接收']],
	['message', ['message', 'text', 'content', 'synopsis', 'description', '内容', '消息', '信息内容', '注入内容', '消息内容', '情景', '情景描述']],
	['expectedActions', ['expectedactions', 'expectedaction', 'expected', 'expectedplayeraction', '预期行动', '预期处置', '预期', '期望行动', '应对要点']],
	['objective', ['objective', 'objectiveid', '目标', '演练目标', '目标编号']],
	['capability', ['capability', 'corecapability', '能力', '核心能力', '检验能力']],
	['evaluatorNotes', ['evaluatornotes', 'evaluatornote', 'notes', 'evaluator', '评估要点', '评估提示', '评估说明', '备注']],
	['dependsOn', ['dependson', 'depends', 'after', 'prerequisite', '依赖', '前置', '前置注入', '依赖注入']]
];
const BILINGUAL = new Set(['from', 'message', 'expectedActions', 'evaluatorNotes']);

const MARK_EN = /[(（[【]\s*(英文|英语|english|eng|en)\s*[)）\]】]|[\s_.-](english|eng|en)$|英文|英语/;
const MARK_ZH = /[(（[【]\s*(中文|汉语|chinese|zh|cn)\s*[)）\]】]|[\s_.-](chinese|zh|cn)$|中文|汉语/;
const CJK = /[\u3400-\u9fff]/;

/** Which field a header names, and for bilingual fields which language. */
export function fieldForHeader(header: string): MselField | null {
	const raw = header.normalize('NFKC').toLowerCase().trim();
	if (!raw) return null;
	const marked: 'zh' | 'en' | null = MARK_EN.test(raw) ? 'en' : MARK_ZH.test(raw) ? 'zh' : null;
	const bare = norm(raw.replace(MARK_EN, '').replace(MARK_ZH, ''));
	for (const [base, words] of SYNONYMS) {
		if (!words.includes(bare)) continue;
		if (!BILINGUAL.has(base)) return base as MselField;
		return `${base}.${marked ?? (CJK.test(raw) ? 'zh' : 'en')}` as MselField;
	}
	return null;
}

/** A first mapping from the header row: each field takes the first column that names it. */
export function guessMapping(headers: readonly string[]): ColumnMapping {
	const mapping = emptyMapping();
	headers.forEach((h, i) => {
		const f = fieldForHeader(h);
		if (f && mapping[f] === null) mapping[f] = i;
	});
	return mapping;
}

export function emptyMapping(): ColumnMapping {
	return Object.fromEntries(MSEL_FIELDS.map((f) => [f, null])) as ColumnMapping;
}

/** Reads a mapping from form fields `map.<field>` = column index ('' = not mapped). */
export function mappingFromForm(get: (name: string) => string | null, columns: number): ColumnMapping {
	const mapping = emptyMapping();
	for (const f of MSEL_FIELDS) {
		const v = get(`map.${f}`);
		if (v === null || v === '') continue;
		const n = Number(v);
		if (Number.isInteger(n) && n >= 0 && n < columns) mapping[f] = n;
	}
	return mapping;
}

/** Problems with the mapping itself (before any row is read). */
export function checkMapping(mapping: ColumnMapping, headers: readonly string[]): ImportProblem[] {
	const out: ImportProblem[] = [];
	const has = (f: MselField) => mapping[f] !== null;
	if (!has('at')) out.push({ row: null, column: null, field: 'at', code: 'mapAt', message: 'Map a column to the scenario time (T+HH:MM).' });
	if (!has('to')) out.push({ row: null, column: null, field: 'to', code: 'mapTo', message: 'Map a column to the recipient agencies.' });
	if (!has('message.zh') && !has('message.en')) out.push({ row: null, column: null, field: 'message.zh', code: 'mapMessage', message: 'Map a column to the message (Chinese or English).' });
	if (!has('from.zh') && !has('from.en')) out.push({ row: null, column: null, field: 'from.zh', code: 'mapFrom', message: 'Map a column to the simulated sender (Chinese or English).' });
	const used = new Map<number, MselField>();
	for (const f of MSEL_FIELDS) {
		const c = mapping[f];
		if (c === null) continue;
		const other = used.get(c);
		if (other) out.push({ row: null, column: headers[c] ?? null, field: f, code: 'mapTwice', params: { other }, message: `Column ${headers[c] ?? c + 1} is already mapped to ${other}.` });
		else used.set(c, f);
	}
	return out;
}

// ---------------------------------------------------------------- cells

/** A cell as text (numbers as written, no exponent for ordinary ids). */
export function cellText(c: Cell | undefined): string {
	if (c === null || c === undefined) return '';
	return String(c).trim();
}

/**
 * A scenario time cell: `T+HH:MM[:SS]`, `HH:MM[:SS]` (taken as an offset from T+0), or a spreadsheet
 * time value (a fraction of a day: 0.5 = T+12:00). Null when it is none of these.
 */
export function parseTimeCell(c: Cell | undefined): number | null {
	if (typeof c === 'number') {
		if (!Number.isFinite(c) || c < 0 || c >= 1000 / 24) return null;
		return Math.round(c * 86_400) * 1000;
	}
	const text = cellText(c).normalize('NFKC');
	if (!text) return null;
	const withT = parseScenarioTime(text);
	if (withT !== null) return withT;
	return parseScenarioTime(`T+${text}`);
}

const TYPE_WORDS: Record<(typeof INJECT_TYPES)[number], string[]> = {
	information: ['information', 'info', '信息', '情况通报', '信息类'],
	event: ['event', 'incident', '事件', '突发事件'],
	media: ['media', 'press', 'socialmedia', '媒体', '舆情', '网络舆情'],
	resource_problem: ['resourceproblem', 'resource', 'resources', '资源问题', '资源', '资源不足'],
	equipment_fault: ['equipmentfault', 'equipment', 'fault', '设备故障', '故障']
};
const DELIVERY_WORDS: Record<(typeof DELIVERY_METHODS)[number], string[]> = {
	phone: ['phone', 'telephone', 'call', '电话'],
	radio: ['radio', '无线电', '电台', '对讲', '对讲机'],
	message: ['message', 'text', 'sms', 'email', 'fax', '消息', '短信', '文字', '传真', '邮件'],
	video: ['video', 'cctv', 'camera', '视频', '视频监控', '监控'],
	sensor_alarm: ['sensoralarm', 'sensor', 'alarm', '传感器', '传感器报警', '报警', '监测报警'],
	media: ['media', 'news', '媒体', '新闻', '舆情'],
	in_person: ['inperson', 'person', 'facetoface', '当面', '现场', '口头']
};

function enumFrom<T extends string>(words: Record<T, string[]>, text: string): T | null {
	const n = norm(text);
	for (const [code, list] of Object.entries(words) as [T, string[]][]) {
		if (norm(code) === n || list.some((w) => norm(w) === n)) return code;
	}
	return null;
}

export const injectTypeFrom = (text: string) => enumFrom(TYPE_WORDS, text);
export const deliveryFrom = (text: string) => enumFrom(DELIVERY_WORDS, text);

/** Splits a list cell: commas, semicolons, 、, slashes, line breaks (full- or half-width). */
export function splitList(text: string): string[] {
	return text
		.normalize('NFKC')
		.split(/[,;、/|\n]+/)
		.map((s) => s.trim())
		.filter(Boolean);
}

/** Expected actions: one per line (or separated by ；/;). */
export function splitLines(text: string): string[] {
	return text
		.split(/\r?\n|[；;]/)
		.map((s) => s.replace(/^\s*(\d+[.、)）]|[-•·*])\s*/, '').trim())
		.filter(Boolean);
}

export interface AgencyName {
	code: string;
	nameZh: string;
	nameEn: string;
}

/** An agency by its code or its Chinese/English name (also the name without a 局/bureau suffix). */
export function agencyFrom(text: string, agencies: readonly AgencyName[]): string | null {
	const n = norm(text);
	if (!n) return null;
	for (const a of agencies) {
		const names = [a.code, a.nameZh, a.nameEn].map(norm);
		if (names.includes(n)) return a.code;
	}
	for (const a of agencies) {
		const zh = norm(a.nameZh);
		if (zh.length >= 2 && (n.startsWith(zh) || zh.startsWith(n)) && n.length >= 2) return a.code;
	}
	return null;
}

// ---------------------------------------------------------------- rows → injects

export interface MselImportOptions {
	/** Agencies the deployment knows (codes and names accepted in the "to" column). */
	agencies: readonly AgencyName[];
}

export interface RowsResult {
	injects: MselInject[];
	/** For each inject, the spreadsheet row it came from. */
	sourceRows: number[];
	problems: ImportProblem[];
}

/**
 * Turns the mapped rows into MSEL injects. Unmapped optional fields take defaults: id `I-<row>`,
 * type `information`, delivery `message`; a bilingual field given in one language is used for both.
 * Each row's problems are listed with its spreadsheet row number; a row with problems is left out.
 */
export function rowsToInjects(table: Table, mapping: ColumnMapping, opts: MselImportOptions): RowsResult {
	const problems: ImportProblem[] = [...checkMapping(mapping, table.headers)];
	if (problems.length) return { injects: [], sourceRows: [], problems };
	const injects: MselInject[] = [];
	const sourceRows: number[] = [];
	const col = (f: MselField) => mapping[f];
	table.rows.forEach((cells, n) => {
		const row = n + 2;
		const get = (f: MselField): Cell | undefined => {
			const c = col(f);
			return c === null ? undefined : cells[c];
		};
		const text = (f: MselField) => cellText(get(f));
		const problem = (f: MselField, code: string, message: string, params?: Record<string, string | number>) =>
			problems.push({ row, column: col(f) === null ? null : (table.headers[col(f) as number] ?? null), field: f, code, params, message });
		const before = problems.length;
		// Rows that are entirely empty in the mapped columns are skipped silently (spacer rows).
		if (MSEL_FIELDS.every((f) => text(f) === '')) return;

		const atMs = parseTimeCell(get('at'));
		if (atMs === null) problem('at', 'badTime', `"${text('at')}" is not a scenario time such as T+00:45.`, { value: text('at') });

		let type: MselInject['type'] = 'information';
		if (col('type') !== null && text('type')) {
			const t = injectTypeFrom(text('type'));
			if (t) type = t;
			else problem('type', 'badType', `Unknown inject type "${text('type')}" (information, event, media, resource_problem, equipment_fault).`, { value: text('type') });
		}
		let delivery: MselInject['delivery'] = 'message';
		if (col('delivery') !== null && text('delivery')) {
			const d = deliveryFrom(text('delivery'));
			if (d) delivery = d;
			else problem('delivery', 'badDelivery', `Unknown delivery method "${text('delivery')}" (phone, radio, message, video, sensor_alarm, media, in_person).`, { value: text('delivery') });
		}
		const bi = (base: 'from' | 'message' | 'evaluatorNotes') => {
			const zh = text(`${base}.zh`);
			const en = text(`${base}.en`);
			return zh || en ? { zh: zh || en, en: en || zh } : null;
		};
		const from = bi('from');
		if (!from) problem(col('from.zh') !== null ? 'from.zh' : 'from.en', 'noFrom', 'The simulated sender is empty.');
		const message = bi('message');
		if (!message) problem(col('message.zh') !== null ? 'message.zh' : 'message.en', 'noMessage', 'The message is empty.');

		const agencies: string[] = [];
		for (const name of splitList(text('to'))) {
			const code = agencyFrom(name, opts.agencies);
			if (!code) problem('to', 'badAgency', `Unknown agency "${name}".`, { value: name });
			else if (!agencies.includes(code)) agencies.push(code);
		}
		if (!text('to')) problem('to', 'noAgency', 'Name at least one recipient agency.');

		const expZh = splitLines(text('expectedActions.zh'));
		const expEn = splitLines(text('expectedActions.en'));
		if (expZh.length && expEn.length && expZh.length !== expEn.length) {
			problem('expectedActions.en', 'expectedMismatch', `${expZh.length} expected actions in Chinese but ${expEn.length} in English.`, { zh: expZh.length, en: expEn.length });
		}
		const expectedActions = Array.from({ length: Math.max(expZh.length, expEn.length) }, (_, k) => ({ zh: expZh[k] ?? expEn[k], en: expEn[k] ?? expZh[k] }));

		if (problems.length > before || atMs === null || !from || !message) return;
		const id = text('id') || `I-${String(row).padStart(2, '0')}`;
		const draft: MselInject = {
			id,
			at: formatScenarioTime(atMs),
			type,
			delivery,
			from,
			to: { agencies, roles: ['commander', 'player'] },
			message,
			expectedActions,
			mapEffects: [],
			monitoringEffects: [],
			tasks: [],
			dependsOn: splitList(text('dependsOn'))
		};
		if (text('objective')) draft.objective = text('objective');
		if (text('capability')) draft.capability = text('capability');
		const notes = bi('evaluatorNotes');
		if (notes) draft.evaluatorNotes = notes;
		injects.push(draft);
		sourceRows.push(row);
	});
	return { injects, sourceRows, problems };
}

// ---------------------------------------------------------------- rows → package

export interface NewPackageOptions {
	id: string;
	title?: { zh: string; en: string };
	/** `replace`: the file is the whole MSEL; `append`: its injects are added after the base's. */
	mode: 'replace' | 'append';
}

export type BuildResult = { ok: true; pkg: ScenarioPackage; count: number } | { ok: false; problems: ImportProblem[] };

/**
 * A new package: the base package (objectives, map, monitoring points, random pool, task templates)
 * with the imported MSEL. In `replace` mode the base's own MSEL (contingencies included) is dropped,
 * and random-pool dependencies on dropped injects with it. The result is validated as a whole; errors
 * on imported injects point back at their spreadsheet rows.
 */
export function buildPackage(base: ScenarioPackage, table: Table, mapping: ColumnMapping, opts: NewPackageOptions & MselImportOptions): BuildResult {
	const rows = rowsToInjects(table, mapping, opts);
	if (rows.problems.length) return { ok: false, problems: rows.problems };
	const kept = opts.mode === 'append' ? base.injects : [];
	const ids = new Set([...kept, ...rows.injects].map((i) => i.id));
	const candidate = {
		...structuredClone(base),
		id: opts.id,
		meta: { ...structuredClone(base.meta), title: opts.title ?? { zh: `${base.meta.title.zh}（导入脚本）`, en: `${base.meta.title.en} (imported MSEL)` } },
		injects: [...structuredClone(kept), ...rows.injects],
		randomPool: base.randomPool.map((r) => ({ ...structuredClone(r), dependsOn: r.dependsOn.filter((d) => ids.has(d)) }))
	};
	const check = validatePackage(candidate);
	if (check.ok) return { ok: true, pkg: check.pkg, count: rows.injects.length };
	return { ok: false, problems: check.errors.map((e) => problemForPath(e, kept.length, rows.sourceRows, table.headers, mapping)) };
}

/** Which imported field a package path falls in (`injects.3.to.agencies.0` → `to`). */
function fieldOfPath(rest: string): MselField | null {
	const first = rest.split('.')[0];
	if (first === 'from' || first === 'message' || first === 'evaluatorNotes' || first === 'expectedActions') {
		return `${first}.${rest.endsWith('.en') ? 'en' : 'zh'}` as MselField;
	}
	if (first === 'at' || first === 'contingency') return 'at';
	return (MSEL_FIELDS as readonly string[]).includes(first) ? (first as MselField) : null;
}

export function problemForPath(e: PackageError, offset: number, sourceRows: readonly number[], headers: readonly string[], mapping: ColumnMapping): ImportProblem {
	const m = /^injects\.(\d+)(?:\.(.*))?$/.exec(e.path);
	if (m && Number(m[1]) >= offset) {
		const row = sourceRows[Number(m[1]) - offset] ?? null;
		const field = m[2] ? fieldOfPath(m[2]) : null;
		const c = field ? mapping[field] : null;
		return { row, column: c === null ? null : (headers[c] ?? null), field: field ?? 'package', code: 'package', params: { path: e.path }, message: e.message };
	}
	return { row: null, column: null, field: 'package', code: 'package', params: { path: e.path }, message: `${e.path}: ${e.message}` };
}
