/**
 * The audible inject alert: a short two-tone beep generated with WebAudio in the browser (no audio
 * file to ship or fetch). Browsers only let a page start sound after the person has interacted with
 * it, so the audio context is created (or resumed) on the first pointer or key press; a beep asked
 * for before that reports `blocked` and the board says so next to the mute switch.
 */
import { MUTE_KEY } from '$lib/board/inbox';

export type BeepResult = 'played' | 'muted' | 'blocked' | 'unsupported';

type AudioContextCtor = typeof AudioContext;

let ctx: AudioContext | null = null;

function ctor(): AudioContextCtor | null {
	const w = globalThis as unknown as { AudioContext?: AudioContextCtor; webkitAudioContext?: AudioContextCtor };
	return w.AudioContext ?? w.webkitAudioContext ?? null;
}

/** Creates or resumes the audio context; call from a user gesture. */
export function unlockAudio(): void {
	const C = ctor();
	if (!C) return;
	try {
		ctx ??= new C();
		if (ctx.state === 'suspended') void ctx.resume();
	} catch {
		ctx = null;
	}
}

/** Listens for the first gesture that may unlock audio; returns the remover. */
export function unlockOnGesture(): () => void {
	const onGesture = () => {
		unlockAudio();
		if (ctx?.state === 'running') remove();
	};
	const remove = () => {
		removeEventListener('pointerdown', onGesture, true);
		removeEventListener('keydown', onGesture, true);
	};
	addEventListener('pointerdown', onGesture, true);
	addEventListener('keydown', onGesture, true);
	return remove;
}

export function isMuted(): boolean {
	try {
		return localStorage.getItem(MUTE_KEY) === '1';
	} catch {
		return false;
	}
}

export function setMuted(muted: boolean): void {
	try {
		if (muted) localStorage.setItem(MUTE_KEY, '1');
		else localStorage.removeItem(MUTE_KEY);
	} catch {
		// storage may be unavailable; the switch then lasts for this page only
	}
}

/** Two short tones (880 Hz then 660 Hz, ~0.4 s) with soft edges so they do not click. */
export function beep(muted = isMuted()): BeepResult {
	if (muted) return 'muted';
	const C = ctor();
	if (!C) return 'unsupported';
	if (!ctx) {
		try {
			ctx = new C();
		} catch {
			return 'unsupported';
		}
	}
	if (ctx.state !== 'running') {
		void ctx.resume().catch(() => {});
		// resume() may have taken effect at once (a page that was already interacted with).
		if ((ctx.state as AudioContextState) !== 'running') return 'blocked';
	}
	const t0 = ctx.currentTime + 0.01;
	const tones: [number, number][] = [
		[880, 0],
		[660, 0.2]
	];
	for (const [freq, offset] of tones) {
		const osc = ctx.createOscillator();
		const gain = ctx.createGain();
		osc.type = 'sine';
		osc.frequency.value = freq;
		const start = t0 + offset;
		gain.gain.setValueAtTime(0.0001, start);
		gain.gain.exponentialRampToValueAtTime(0.25, start + 0.02);
		gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.18);
		osc.connect(gain).connect(ctx.destination);
		osc.start(start);
		osc.stop(start + 0.2);
	}
	return 'played';
}
