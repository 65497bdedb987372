/**
 * Summarises a V8 .cpuprofile (from `npm run bench:collab -- --cpu-prof`): top functions by self time
 * and by inclusive time, optionally only within the busiest window of a given length.
 *
 *   node --import tsx bench/profile.ts bench/results/profiles/<file>.cpuprofile [--window=2000] [--top=25]
 *   --focus=<function name>: also print the call tree below that function (inclusive ms), --depth=4
 */
import { readFileSync } from 'node:fs';

interface Node {
	id: number;
	callFrame: { functionName: string; url: string; lineNumber: number };
	children?: number[];
}
interface Profile {
	nodes: Node[];
	startTime: number;
	samples: number[];
	timeDeltas: number[];
}

const file = process.argv[2];
if (!file) {
	console.error('usage: bench/profile.ts <file.cpuprofile> [--window=ms] [--top=n]');
	process.exit(2);
}
const opt = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const windowMs = Number(opt('window') ?? 0);
const top = Number(opt('top') ?? 25);
const focus = opt('focus');
const depth = Number(opt('depth') ?? 4);

const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

// Sample times (µs since start) and the time each sample stands for.
const times: number[] = [];
let t = 0;
for (const d of profile.timeDeltas) times.push((t += d));
const weight = profile.timeDeltas.map((_, i) => (i + 1 < profile.timeDeltas.length ? profile.timeDeltas[i + 1] : 0));
const label = (n: Node) => {
	const f = n.callFrame;
	const where = f.url ? f.url.replace(/^file:\/\//, '').replace(process.cwd() + '/', '') : '';
	return `${f.functionName || '(anonymous)'} ${where}${where ? `:${f.lineNumber + 1}` : ''}`;
};
const idle = (n: Node) => ['(idle)', '(program)', '(garbage collector)'].includes(n.callFrame.functionName);

// Busiest window: the one with the most non-idle sample time.
let from = 0;
let to = Infinity;
if (windowMs > 0) {
	const w = windowMs * 1000;
	let best = -1;
	let sum = 0;
	let j = 0;
	for (let i = 0; i < times.length; i++) {
		if (!idle(byId.get(profile.samples[i]) as Node)) sum += weight[i];
		while (times[i] - times[j] > w) {
			if (!idle(byId.get(profile.samples[j]) as Node)) sum -= weight[j];
			j++;
		}
		if (sum > best) {
			best = sum;
			from = times[j];
			to = times[i];
		}
	}
	console.log(`busiest ${windowMs} ms window: ${(from / 1000).toFixed(0)}–${(to / 1000).toFixed(0)} ms after start, ${(best / 1000).toFixed(0)} ms busy`);
}

const self = new Map<string, number>();
const incl = new Map<string, number>();
let total = 0;
for (let i = 0; i < profile.samples.length; i++) {
	if (times[i] < from || times[i] > to) continue;
	const node = byId.get(profile.samples[i]) as Node;
	const w = weight[i];
	total += w;
	self.set(label(node), (self.get(label(node)) ?? 0) + w);
	const seen = new Set<string>();
	for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
		const l = label(byId.get(id) as Node);
		if (seen.has(l)) continue;
		seen.add(l);
		incl.set(l, (incl.get(l) ?? 0) + w);
	}
}
const show = (title: string, m: Map<string, number>) => {
	console.log(`\n${title} (of ${(total / 1000).toFixed(0)} ms)`);
	for (const [k, v] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${(v / 1000).toFixed(1).padStart(9)} ms  ${k}`);
};
show('self time', self);
show('inclusive time', incl);

if (focus) {
	// Inclusive time per node within the window, then the tree under every node named `focus`, merged by label.
	const nodeTime = new Map<number, number>();
	for (let i = 0; i < profile.samples.length; i++) {
		if (times[i] < from || times[i] > to) continue;
		for (let id: number | undefined = profile.samples[i]; id !== undefined; id = parent.get(id)) nodeTime.set(id, (nodeTime.get(id) ?? 0) + weight[i]);
	}
	interface Tree {
		ms: number;
		kids: Map<string, Tree>;
	}
	const root: Tree = { ms: 0, kids: new Map() };
	const add = (tree: Tree, n: Node, d: number) => {
		const l = label(n);
		const sub = tree.kids.get(l) ?? { ms: 0, kids: new Map() };
		tree.kids.set(l, sub);
		sub.ms += nodeTime.get(n.id) ?? 0;
		if (d < depth) for (const c of n.children ?? []) add(sub, byId.get(c) as Node, d + 1);
	};
	const isInside = (n: Node) => {
		for (let id = parent.get(n.id); id !== undefined; id = parent.get(id)) if ((byId.get(id) as Node).callFrame.functionName === focus) return true;
		return false;
	};
	for (const n of profile.nodes) if (n.callFrame.functionName === focus && !isInside(n)) add(root, n, 0);
	const print = (tree: Tree, indent: string) => {
		for (const [l, t] of [...tree.kids].sort((a, b) => b[1].ms - a[1].ms)) {
			if (t.ms < 5000) continue;
			console.log(`${(t.ms / 1000).toFixed(1).padStart(9)} ms  ${indent}${l}`);
			print(t, indent + '  ');
		}
	};
	console.log(`\ncall tree below ${focus} (inclusive, ≥ 5 ms)`);
	print(root, '');
}
