import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordDueInjects } from '../../server/injects/delivery';
import { minimalScenario } from '../fixtures/minimal-scenario';
import { apiClient } from './helpers/api';
import { backend, seededDatabase, type TestDatabase } from './helpers/db';

let database: TestDatabase;
let api: ReturnType<typeof apiClient>;
const t: Record<string, string> = {};
const EVIL = '<script>alert(1)</script><img src=x onerror=alert(2)>';

beforeAll(async () => {
	database = await seededDatabase();
	api = apiClient(database);
	for (const u of ['facilitator', 'commander', 'fire1', 'em1', 'evaluator', 'observer', 'police1']) t[u] = await api.signIn(u);
	await api.call('POST', 'scenarios', { body: minimalScenario(), token: t.facilitator });
});
afterAll(() => database.dispose());

const call = (method: string, path: string, who: string, body?: unknown) => api.call(method, path, { body, token: t[who] });
const jump = (id: string, to: string) => call('POST', `exercises/${id}/clock`, 'facilitator', { action: 'jump', to });

/** Raw bytes of a response (the API client reads text; exports are binary). */
async function download(id: string, query: string, who = 'facilitator') {
	const { handleApi } = await import('../../server/api/router');
	const { sessionFromHeaders } = await import('../../server/auth/resolve');
	const headers = new Headers({ authorization: `Bearer ${t[who]}` });
	const path = `exercises/${id}/review/export`;
	const request = new Request(`http://localhost/api/v1/${path}?${query}`, { headers });
	const session = await sessionFromHeaders(database.db, { authorization: headers.get('authorization'), cookie: null });
	const res = await handleApi(api.ctx, { request, session, clientAddress: '10.0.0.1', secureCookies: false }, path);
	return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}

async function endedExercise(title: string): Promise<string> {
	const id = (await call('POST', 'exercises', 'facilitator', { title })).json.exercise.id;
	for (const [u, role] of [['fire1', 'player'], ['em1', 'player'], ['police1', 'player'], ['commander', 'commander'], ['evaluator', 'evaluator'], ['observer', 'observer']]) {
		await call('POST', `exercises/${id}/members`, 'facilitator', { username: u, role });
	}
	await call('PUT', `exercises/${id}/scenario`, 'facilitator', { scenarioId: 'mini-flood', seed: 'r' });
	await call('POST', `exercises/${id}/transition`, 'facilitator', { status: 'briefing' });
	await call('POST', `exercises/${id}/transition`, 'facilitator', { status: 'running' });
	await call('POST', `exercises/${id}/transition`, 'facilitator', { status: 'paused' });
	await jump(id, 'T+00:05');
	await recordDueInjects(database.db, id);
	await jump(id, 'T+00:20');
	await call('POST', `exercises/${id}/log`, 'em1', { kind: 'report', to: { commander: true }, refs: { inject: 'I-01' }, body: { text: `首报 ${EVIL}`, stage: 'initial', report: { time: '10:05', place: '解放路下穿隧道' } } });
	await call('POST', `exercises/${id}/observations`, 'evaluator', { kind: 'improvement', text: `首报要素不全 ${EVIL}`, agency: 'em', injectId: 'I-01' });
	await call('POST', `exercises/${id}/observations`, 'evaluator', { kind: 'strength', text: '指挥部响应迅速', agency: null });
	await call('PUT', `exercises/${id}/ratings`, 'evaluator', { objectiveId: 'O1', targetId: 'O1.1', agency: 'em', rating: 'S' });
	await jump(id, 'T+01:00');
	await call('POST', `exercises/${id}/transition`, 'facilitator', { status: 'ended' });
	return id;
}

describe(`review exports on ${backend}`, () => {
	let id: string;
	let items: { id: string }[];
	beforeAll(async () => {
		id = await endedExercise(`内涝评估 ${EVIL}`);
		const { generated } = (await call('GET', `exercises/${id}/review`, 'facilitator')).json;
		items = generated.rectifications;
		expect(items.length).toBeGreaterThanOrEqual(2);
		const [first, second] = generated.rectifications;
		const saved = await call('POST', `exercises/${id}/review`, 'evaluator', {
			summary: `总体达到演练目的。\n${EVIL}`,
			rectifications: [
				{ ...first, owner: '值班科 张三', cause: { zh: `原因 ${EVIL}`, en: `Cause ${EVIL}` }, decision: 'accepted' },
				{ ...second, decision: 'rejected' },
				{ id: 'R-new', problem: { zh: '=HYPERLINK("http://evil","x")', en: '=HYPERLINK("http://evil","x")' }, cause: { zh: '培训不足', en: 'Too little training' }, action: { zh: '开展视频调度专项培训', en: 'Train video dispatch' }, element: 'training', agency: 'em', owner: '@owner', dueDate: '2020-01-31', decision: 'accepted' }
			]
		});
		expect(saved.status).toBe(201);
	});

	it('writes a DOCX evaluation report with the Chinese report sections, tables and inert user text', async () => {
		const r = await download(id, 'format=docx&lang=zh-CN');
		expect(r.status).toBe(200);
		expect(r.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.wordprocessingml.document');
		expect(r.headers.get('content-disposition')).toMatch(/^attachment; filename="review\.docx"; filename\*=UTF-8''/);
		const zip = await JSZip.loadAsync(r.bytes);
		const xml = await zip.file('word/document.xml')!.async('string');
		const text = [...xml.matchAll(/<w:t(?: [^>]*)?>([^<]*)<\/w:t>/g)].map((m) => m[1]).join('\n');
		for (const heading of ['一、演练概况', '二、演练实施情况', '三、能力评估', '四、存在的问题及原因', '五、经验与做法', '六、改进建议', '附件：整改清单', '（一）演练目的']) {
			expect(text).toContain(heading);
		}
		expect(text).toContain('演练评估总结报告');
		expect(text).toContain('值班科 张三');
		expect(text).toContain('指挥部响应迅速');
		// The rejected proposal is not in the annex; the added item is.
		expect(text).toContain('=HYPERLINK(&quot;http://evil&quot;,&quot;x&quot;)');
		// Script in user text is escaped text, never markup.
		expect(xml).not.toContain('<script>');
		expect(xml).not.toContain('<img');
		expect(text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
		expect((xml.match(/<w:tbl>/g) ?? []).length).toBeGreaterThanOrEqual(5);
		// The annex is a landscape section.
		expect(xml).toMatch(/w:orient="landscape"/);

		const en = await download(id, 'format=docx&lang=en');
		const enXml = await (await JSZip.loadAsync(en.bytes)).file('word/document.xml')!.async('string');
		expect(enXml).toContain('1. Exercise overview');
		expect(enXml).toContain('Annex: Rectification list');
		expect(enXml).toContain('Problems and causes');
	});

	it('writes the rectification list as XLSX, one row per kept item, every cell a string', async () => {
		const r = await download(id, 'format=xlsx&lang=zh-CN');
		expect(r.status).toBe(200);
		expect(r.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
		const wb = new ExcelJS.Workbook();
		await wb.xlsx.load(r.bytes as unknown as ArrayBuffer);
		const ws = wb.getWorksheet('整改清单')!;
		expect(ws).toBeTruthy();
		expect(String(ws.getCell(1, 1).value)).toContain('整改清单');
		const header = (ws.getRow(2).values as unknown[]).slice(1);
		expect(header).toEqual(['序号', '演练', '存在问题', '原因分析', '整改措施', '能力', '能力要素', '单位', '责任人', '完成时限', '状态', '决定', '验证演练']);
		const rows: unknown[][] = [];
		ws.eachRow((row, n) => {
			if (n > 2) rows.push((row.values as unknown[]).slice(1));
		});
		// Proposals not decided stay listed as proposals; the rejected one is gone.
		expect(rows.length).toBe(items.length - 1 + 1);
		const accepted = rows.find((row) => row[8] === '值班科 张三')!;
		expect(accepted).toBeTruthy();
		expect(accepted[3]).toBe(`原因 ${EVIL}`);
		expect(accepted[10]).toBe('待整改');
		expect(accepted[11]).toBe('采纳');
		const added = rows.find((row) => row[2] === '=HYPERLINK("http://evil","x")')!;
		expect(added).toBeTruthy();
		expect(added[6]).toBe('培训');
		expect(added[7]).toBe('应急管理');
		expect(added[8]).toBe('@owner');
		const formulaCell = ws.getRow(rows.indexOf(added) + 3).getCell(3);
		expect(formulaCell.type).toBe(ExcelJS.ValueType.String);
		// Overdue accepted items are tinted.
		expect((ws.getRow(rows.indexOf(added) + 3).getCell(3).fill as ExcelJS.FillPattern).fgColor?.argb).toBe('FFFDECEA');
		const closure = wb.getWorksheet('按单位统计')!;
		expect((closure.getRow(1).values as unknown[]).slice(1)).toEqual(['单位', '总数', '已完成', '逾期', '完成率']);
		const em = (closure.getRow(2).values as unknown[]).slice(1);
		expect(em[0]).toBe('应急管理');
	});

	it('writes JSON with the saved version, its rectifications and tracking, inert in HTML', async () => {
		const r = await download(id, 'format=json');
		expect(r.status).toBe(200);
		const body = r.bytes.toString('utf8');
		expect(body).not.toMatch(/[<>]/);
		const json = JSON.parse(body);
		expect(json).toMatchObject({ format: 'drillboard-review', version: 1, reviewVersion: 1, exercise: { id } });
		expect(json.summary).toContain(EVIL);
		expect(json.tracking.map((x: { id: string }) => x.id).sort()).toEqual([`${id}:${items[0].id}`, `${id}:R-new`].sort());
		expect(json.review.findings.length).toBeGreaterThan(0);
	});

	it('keeps exports to reviewers after the end and checks the query', async () => {
		expect((await download(id, 'format=docx', 'fire1')).status).toBe(403);
		expect((await download(id, 'format=pdf')).status).toBe(400);
		expect((await download(id, 'format=docx&version=9')).status).toBe(404);
		expect((await download(id, 'format=docx&version=1')).status).toBe(200);
		const running = (await call('POST', 'exercises', 'facilitator', { title: 'live' })).json.exercise.id;
		expect((await download(running, 'format=json')).status).toBe(403);
	});
});
