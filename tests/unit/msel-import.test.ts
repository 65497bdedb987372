import { describe, expect, it } from 'vitest';
import { SEED_AGENCIES } from '../../db/seed';
import { loadBuiltinScenarios } from '../../db/scenarios';
import {
	agencyFrom,
	buildPackage,
	checkMapping,
	checkTable,
	decodeText,
	deliveryFrom,
	detectDelimiter,
	emptyMapping,
	fieldForHeader,
	guessMapping,
	injectTypeFrom,
	mappingFromForm,
	MAX_MSEL_ROWS,
	parseCsv,
	parseTimeCell,
	readCsv,
	rowsToInjects,
	splitLines,
	splitList,
	tableFromRows,
	type Table
} from '../../src/lib/domain/scenario/msel-import';

const agencies = SEED_AGENCIES;
const enc = (s: string) => new TextEncoder().encode(s);
const base = loadBuiltinScenarios().find((p) => p.id === 'dam-break-qinglong')!;

const CSV = [
	'编号,时间,类型,方式,发送方,Sender (EN),接收单位,消息（中文）,Message (EN),预期行动,目标',
	'M-01,T+00:05,信息,电话,水库管理所,Reservoir station,"水利, 应急管理",库水位 70.35 m,Level 70.35 m,"1. 启动预案\n2. 报告",O4',
	'M-02,00:20,event,video,监控中心,CCTV centre,fire;police,"堤防出现""管涌""",Piping at the dyke,,O2',
	'',
	'M-03,T+01:10:30,设备故障,传感器报警,系统,System,water,水位计离线,Gauge offline,,'
].join('\r\n');

describe('CSV reading', () => {
	it('parses quotes, doubled quotes, line breaks in cells, CRLF and blank lines', () => {
		const { rows, unclosedQuote } = parseCsv(CSV);
		expect(unclosedQuote).toBe(false);
		expect(rows).toHaveLength(4);
		expect(rows[1][6]).toBe('水利, 应急管理');
		expect(rows[1][9]).toBe('1. 启动预案\n2. 报告');
		expect(rows[2][7]).toBe('堤防出现"管涌"');
		expect(rows[3][1]).toBe('T+01:10:30');
	});

	it('detects semicolon and tab delimiters outside quotes', () => {
		expect(detectDelimiter('a;b;"c,d,e"\n1;2;3')).toBe(';');
		expect(detectDelimiter('a\tb\tc')).toBe('\t');
		expect(detectDelimiter('a,b')).toBe(',');
		expect(parseCsv('x;y\n1;"2;3"').rows).toEqual([
			['x', 'y'],
			['1', '2;3']
		]);
	});

	it('reports an unclosed quote, a missing header and an empty sheet without throwing', () => {
		const bad = readCsv(enc('a,b\n"1,2\n'));
		expect(bad.ok).toBe(false);
		if (!bad.ok) expect(bad.problem.message).toMatch(/never closed/);
		expect(readCsv(enc('')).ok).toBe(false);
		const onlyHeader = readCsv(enc('时间,消息\n'));
		expect(onlyHeader.ok).toBe(false);
		if (!onlyHeader.ok) expect(onlyHeader.problem.message).toMatch(/no rows/);
		expect(readCsv(new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0, 0, 0])).ok).toBe(false);
	});

	it('bounds rows and columns', () => {
		const many: Table = { headers: ['at'], rows: Array.from({ length: MAX_MSEL_ROWS + 1 }, () => ['T+00:01']) };
		expect(checkTable(many).ok).toBe(false);
		const wide: Table = { headers: ['at'], rows: [Array.from({ length: 61 }, () => 'x')] };
		expect(checkTable(wide).ok).toBe(false);
	});

	it('decodes UTF-8 with a BOM and falls back to GB18030', () => {
		expect(decodeText(new Uint8Array([0xef, 0xbb, 0xbf, ...enc('时间')]))).toBe('时间');
		// "时间" in GBK.
		expect(decodeText(new Uint8Array([0xca, 0xb1, 0xbc, 0xe4]))).toBe('时间');
	});
});

describe('column mapping', () => {
	it('recognises Chinese and English headers and the language of bilingual columns', () => {
		expect(fieldForHeader('编号')).toBe('id');
		expect(fieldForHeader('Scenario time')).toBe('at');
		expect(fieldForHeader('注入方式')).toBe('delivery');
		expect(fieldForHeader('消息（中文）')).toBe('message.zh');
		expect(fieldForHeader('Message (EN)')).toBe('message.en');
		expect(fieldForHeader('message_en')).toBe('message.en');
		expect(fieldForHeader('Message')).toBe('message.en');
		expect(fieldForHeader('消息')).toBe('message.zh');
		expect(fieldForHeader('发送方 英文')).toBe('from.en');
		expect(fieldForHeader('Expected actions')).toBe('expectedActions.en');
		expect(fieldForHeader('Depends on')).toBe('dependsOn');
		expect(fieldForHeader('颜色')).toBeNull();
		expect(fieldForHeader('')).toBeNull();
	});

	it('guesses a mapping (first column wins) and reads one from a form', () => {
		const headers = parseCsv(CSV).rows[0];
		const m = guessMapping(headers);
		expect(m).toMatchObject({ id: 0, at: 1, type: 2, delivery: 3, 'from.zh': 4, 'from.en': 5, to: 6, 'message.zh': 7, 'message.en': 8, 'expectedActions.zh': 9, objective: 10 });
		expect(m.capability).toBeNull();
		const form = new Map([
			['map.at', '1'],
			['map.to', '9'],
			['map.id', ''],
			['map.type', '99'],
			['map.delivery', 'x']
		]);
		const read = mappingFromForm((k) => form.get(k) ?? null, 11);
		expect(read).toEqual({ ...emptyMapping(), at: 1, to: 9 });
	});

	it('requires time, recipients, message and sender, and one column per field', () => {
		const problems = checkMapping(emptyMapping(), []);
		expect(problems.map((p) => p.field)).toEqual(['at', 'to', 'message.zh', 'from.zh']);
		const twice = { ...emptyMapping(), at: 0, to: 1, 'message.zh': 2, 'from.zh': 2 };
		expect(checkMapping(twice, ['t', 'to', 'msg'])).toEqual([expect.objectContaining({ field: 'message.zh', column: 'msg' })]);
	});
});

describe('cells', () => {
	it('reads T+ times, bare HH:MM and spreadsheet day fractions', () => {
		expect(parseTimeCell('T+00:45')).toBe(45 * 60_000);
		expect(parseTimeCell('t + 1:30:20')).toBe((90 * 60 + 20) * 1000);
		expect(parseTimeCell('02:05')).toBe(125 * 60_000);
		expect(parseTimeCell('Ｔ＋００：１５')).toBe(15 * 60_000);
		expect(parseTimeCell(0.5)).toBe(12 * 3_600_000);
		expect(parseTimeCell(1 / 96)).toBe(15 * 60_000);
		for (const bad of ['45', 'soon', '', 'T+00:75', -0.1, Number.NaN, null]) expect(parseTimeCell(bad as string)).toBeNull();
	});

	it('reads types, delivery methods and agencies by code or name', () => {
		expect(injectTypeFrom('设备故障')).toBe('equipment_fault');
		expect(injectTypeFrom('Resource problem')).toBe('resource_problem');
		expect(injectTypeFrom('?')).toBeNull();
		expect(deliveryFrom('电话')).toBe('phone');
		expect(deliveryFrom('sensor_alarm')).toBe('sensor_alarm');
		expect(deliveryFrom('In person')).toBe('in_person');
		expect(agencyFrom('消防救援', agencies)).toBe('fire');
		expect(agencyFrom('Fire Rescue', agencies)).toBe('fire');
		expect(agencyFrom('POLICE', agencies)).toBe('police');
		expect(agencyFrom('水利局', agencies)).toBe('water');
		expect(agencyFrom('气象局', agencies)).toBeNull();
		expect(splitList('水利、应急管理；fire, police')).toEqual(['水利', '应急管理', 'fire', 'police']);
		expect(splitLines('1. 启动预案\n2、报告；- 复核')).toEqual(['启动预案', '报告', '复核']);
	});
});

describe('rows to injects and a new package', () => {
	const table = tableFromRows(parseCsv(CSV).rows);
	const mapping = guessMapping(table.headers);

	it('turns mapped rows into MSEL injects with defaults and both languages', () => {
		const r = rowsToInjects(table, mapping, { agencies });
		expect(r.problems).toEqual([]);
		expect(r.sourceRows).toEqual([2, 3, 4]);
		const [a, b, c] = r.injects;
		expect(a).toMatchObject({ id: 'M-01', at: 'T+00:05', type: 'information', delivery: 'phone', to: { agencies: ['water', 'em'] }, objective: 'O4' });
		expect(a.expectedActions).toEqual([
			{ zh: '启动预案', en: '启动预案' },
			{ zh: '报告', en: '报告' }
		]);
		expect(b).toMatchObject({ at: 'T+00:20', type: 'event', delivery: 'video', message: { zh: '堤防出现"管涌"', en: 'Piping at the dyke' } });
		expect(c).toMatchObject({ at: 'T+01:10:30', type: 'equipment_fault', delivery: 'sensor_alarm' });
		expect(c.objective).toBeUndefined();
	});

	it('lists every bad cell with its row and column and leaves the row out', () => {
		const bad = tableFromRows([
			['时间', '接收单位', '消息', '发送方', '类型'],
			['soon', '气象局', '', '', 'gossip'],
			['T+00:10', 'fire', 'ok', 'x', '']
		]);
		const r = rowsToInjects(bad, guessMapping(bad.headers), { agencies });
		expect(r.injects.map((i) => i.id)).toEqual(['I-03']);
		expect(r.problems.map((p) => [p.row, p.column, p.field])).toEqual([
			[2, '时间', 'at'],
			[2, '类型', 'type'],
			[2, '发送方', 'from.zh'],
			[2, '消息', 'message.zh'],
			[2, '接收单位', 'to']
		]);
	});

	it('replaces the base MSEL and validates the whole package', () => {
		const res = buildPackage(base, table, mapping, { id: 'dam-csv', mode: 'replace', agencies });
		expect(res.ok).toBe(true);
		if (!res.ok) return;
		expect(res.count).toBe(3);
		expect(res.pkg.id).toBe('dam-csv');
		expect(res.pkg.injects.map((i) => i.id)).toEqual(['M-01', 'M-02', 'M-03']);
		expect(res.pkg.meta.title.zh).toContain('导入脚本');
		expect(res.pkg.monitoringPoints).toEqual(base.monitoringPoints);
		// Random-pool dependencies on the dropped MSEL go with it.
		expect(res.pkg.randomPool.every((r) => r.dependsOn.every((d) => ['M-01', 'M-02', 'M-03'].includes(d)))).toBe(true);
		// The base is untouched.
		expect(base.id).toBe('dam-break-qinglong');
	});

	it('appends to the base MSEL and points package errors back at spreadsheet rows', () => {
		const dup = tableFromRows([
			['编号', '时间', '接收单位', '消息', '发送方', '目标'],
			['I-01', 'T+00:30', 'fire', '重复编号', '某人', 'O1'],
			['X-02', 'T+00:40', 'fire', '未知目标', '某人', 'NOPE']
		]);
		const res = buildPackage(base, dup, guessMapping(dup.headers), { id: 'dam-plus', mode: 'append', agencies, title: { zh: '新', en: 'New' } });
		expect(res.ok).toBe(false);
		if (res.ok) return;
		expect(res.problems).toEqual(
			expect.arrayContaining([
				expect.objectContaining({ row: 2, field: 'id', column: '编号' }),
				expect.objectContaining({ row: 3, field: 'objective', column: '目标' })
			])
		);
		const ok = buildPackage(base, tableFromRows([dup.rows[0].map(String), ['Z-1', 'T+00:30', 'fire', '新增', '某人', 'O1']].map((r, i) => (i ? r : dup.headers))), guessMapping(dup.headers), {
			id: 'dam-plus',
			mode: 'append',
			agencies
		});
		expect(ok.ok && ok.pkg.injects.length).toBe(base.injects.length + 1);
	});

	it('rejects a package id the schema refuses, as a package problem', () => {
		const res = buildPackage(base, table, mapping, { id: 'bad id!', mode: 'replace', agencies });
		expect(res.ok).toBe(false);
		if (!res.ok) expect(res.problems[0]).toMatchObject({ row: null, field: 'package' });
	});
});
