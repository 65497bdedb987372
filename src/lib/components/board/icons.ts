/**
 * Map icons for point kinds, drawn on demand in the browser (no sprite file to ship or fetch): a
 * rounded square in the layer's colour with the palette pictogram in white.
 */
import { kindSpec, isFeatureKind } from '$lib/board/palette';
import { parseIconName } from '$lib/board/map-style';
import { MONITOR_ICONS, parseMonitorIconName, SHOW_COLORS } from '$lib/board/monitoring';

const SIZE = 26;

/** Draws the icon named `db:<kind>:<#rrggbb>`; null for names that are not ours. */
export function drawIcon(name: string, pixelRatio: number): { image: ImageData; pixelRatio: number } | null {
	const parsed = parseIconName(name);
	if (!parsed || !isFeatureKind(parsed.kind)) return null;
	const ratio = Math.max(1, Math.min(3, Math.round(pixelRatio)));
	const px = SIZE * ratio;
	const canvas = document.createElement('canvas');
	canvas.width = px;
	canvas.height = px;
	const ctx = canvas.getContext('2d');
	if (!ctx) return null;
	ctx.scale(ratio, ratio);
	// Body with a white rim and a soft shadow so it reads on any basemap.
	ctx.shadowColor = 'rgba(0,0,0,0.35)';
	ctx.shadowBlur = 2;
	ctx.shadowOffsetY = 1;
	ctx.fillStyle = '#ffffff';
	roundRect(ctx, 1, 1, SIZE - 2, SIZE - 2, 6);
	ctx.fill();
	ctx.shadowColor = 'transparent';
	ctx.fillStyle = parsed.color;
	roundRect(ctx, 3, 3, SIZE - 6, SIZE - 6, 4.5);
	ctx.fill();
	// Pictogram: the 24×24 palette path scaled into the body.
	ctx.save();
	ctx.translate(5.5, 5.5);
	ctx.scale(15 / 24, 15 / 24);
	ctx.fillStyle = '#ffffff';
	ctx.fill(new Path2D(kindSpec(parsed.kind).icon), 'evenodd');
	ctx.restore();
	return { image: ctx.getImageData(0, 0, px, px), pixelRatio: ratio };
}

function roundRect(ctx: CanvasRenderingContext2D, x: number, y: number, w: number, h: number, r: number) {
	ctx.beginPath();
	ctx.moveTo(x + r, y);
	ctx.arcTo(x + w, y, x + w, y + h, r);
	ctx.arcTo(x + w, y + h, x, y + h, r);
	ctx.arcTo(x, y + h, x, y, r);
	ctx.arcTo(x, y, x + w, y, r);
	ctx.closePath();
}

const MP_SIZE = 28;

/** Draws a monitoring-point icon `mp:<kind>:<show>`: a disc in the state colour with the kind's pictogram. */
export function drawMonitorIcon(name: string, pixelRatio: number): { image: ImageData; pixelRatio: number } | null {
	const parsed = parseMonitorIconName(name);
	if (!parsed) return null;
	const ratio = Math.max(1, Math.min(3, Math.round(pixelRatio)));
	const px = MP_SIZE * ratio;
	const canvas = document.createElement('canvas');
	canvas.width = px;
	canvas.height = px;
	const ctx = canvas.getContext('2d');
	if (!ctx) return null;
	ctx.scale(ratio, ratio);
	const c = MP_SIZE / 2;
	ctx.shadowColor = 'rgba(0,0,0,0.35)';
	ctx.shadowBlur = 2;
	ctx.shadowOffsetY = 1;
	ctx.fillStyle = '#ffffff';
	ctx.beginPath();
	ctx.arc(c, c, c - 1, 0, Math.PI * 2);
	ctx.fill();
	ctx.shadowColor = 'transparent';
	ctx.fillStyle = SHOW_COLORS[parsed.show];
	ctx.beginPath();
	ctx.arc(c, c, c - 3, 0, Math.PI * 2);
	ctx.fill();
	ctx.save();
	ctx.translate(6.5, 6.5);
	ctx.scale(15 / 24, 15 / 24);
	ctx.fillStyle = '#ffffff';
	ctx.fill(new Path2D(MONITOR_ICONS[parsed.kind]), 'evenodd');
	ctx.restore();
	if (parsed.show === 'fault') {
		ctx.strokeStyle = '#ffbf47';
		ctx.lineWidth = 2.5;
		ctx.lineCap = 'round';
		ctx.beginPath();
		ctx.moveTo(6, MP_SIZE - 6);
		ctx.lineTo(MP_SIZE - 6, 6);
		ctx.stroke();
	}
	return { image: ctx.getImageData(0, 0, px, px), pixelRatio: ratio };
}
