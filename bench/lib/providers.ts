/** Main-thread handle on the worker that hosts the real WebsocketProvider clients. */
import { Worker } from 'node:worker_threads';
import type { ProviderFinal, ProviderSpec } from './provider-worker';

export interface ProviderCollect {
	editLatency: number[];
	pointerLatency: number[];
	eldMaxMs: number;
	cpuMs: number;
	finals: ProviderFinal[];
}

export class ProviderPool {
	private worker: Worker;
	private nextRid = 1;
	private pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

	constructor() {
		// Worker threads do not inherit tsx's loader on Node 20: register it, then load the TypeScript entry.
		const entry = new URL('./provider-worker.ts', import.meta.url).href;
		this.worker = new Worker(`import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`, { eval: true });
		this.worker.on('message', (msg: { rid: number; ok: boolean; result?: unknown; error?: string }) => {
			const p = this.pending.get(msg.rid);
			if (!p) return;
			this.pending.delete(msg.rid);
			if (msg.ok) p.resolve(msg.result);
			else p.reject(new Error(`provider worker: ${msg.error}`));
		});
		this.worker.on('error', (err) => {
			for (const p of this.pending.values()) p.reject(err);
			this.pending.clear();
		});
	}

	private call<T>(cmd: string, arg?: unknown): Promise<T> {
		const rid = this.nextRid++;
		return new Promise<T>((resolve, reject) => {
			this.pending.set(rid, { resolve: resolve as (v: unknown) => void, reject });
			this.worker.postMessage({ rid, cmd, arg });
		});
	}

	/** Fire-and-forget commands (edits, pointer moves) carry rid 0 and get no reply. */
	private tell(cmd: string, arg: unknown): void {
		this.worker.postMessage({ rid: 0, cmd, arg });
	}

	connect(url: string, specs: ProviderSpec[]) {
		return this.call<{ idx: number; connectAt: number; syncedAt: number }[]>('connect', { url, specs });
	}

	edit(idx: number, key: string, n?: number): void {
		this.tell('edit', { idx, key, n });
	}

	movePointer(idx: number, lng: number, lat: number): void {
		this.tell('pointer', { idx, lng, lat });
	}

	markMetrics(): Promise<void> {
		return this.call('markMetrics');
	}

	collect(): Promise<ProviderCollect> {
		return this.call('collect');
	}

	verify(url: string, specs: ProviderSpec[]): Promise<ProviderFinal[]> {
		return this.call('verify', { url, specs });
	}

	async close(): Promise<void> {
		await this.call('close').catch(() => {});
		await this.worker.terminate();
	}
}
