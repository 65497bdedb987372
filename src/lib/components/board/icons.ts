/**
 * Map icons for point kinds, drawn on demand in the browser (no sprite file to ship or fetch): a
 * badge in the layer's (or the state's) colour with a white rim and the pictogram in white.
 */
import { kindSpec, isFeatureKind } from '$lib/board/palette';
import { parseIconName } from '$lib/board/map-style';
import { MONITOR_ICONS, parseMonitorIconName, SHOW_COLORS } from '$lib/board/monitoring';

type MapIcon = { image: ImageData; pixelRatio: number };
/** Traces the badge's outline `inset` CSS pixels inside its square. */
type Outline = (ctx: CanvasRenderingContext2D, size: number, inset: number) => void;

/** Pictograms are 24×24 paths drawn at 15 px in the middle of the badge. */
const PICTOGRAM_PX = 15;

interface Badge {
	size: number;
	outline: Outline;
	color: string;
	pictogram: string;
	/** Drawn over the pictogram (e.g. a fault slash). */
	overlay?: (ctx: CanvasRenderingContext2D) => void;
}

function drawBadge(badge: Badge, pixelRatio: number): MapIcon | null {
	const { size, outline } = badge;
	const ratio = Math.max(1, Math.min(3, Math.round(pixelRatio)));
	const px = size * ratio;
	const canvas = document.createElement('canvas');
	canvas.width = px;
	canvas.height = px;
	const ctx = canvas.getContext('2d');
	if (!ctx) return null;
	ctx.scale(ratio, ratio);
	// White rim with a soft shadow so it reads on any basemap, then the coloured body.
	ctx.shadowColor = 'rgba(0,0,0,0.35)';
	ctx.shadowBlur = 2;
	ctx.shadowOffsetY = 1;
	ctx.fillStyle = '#ffffff';
	outline(ctx, size, 1);
	ctx.fill();
	ctx.shadowColor = 'transparent';
	ctx.fillStyle = badge.color;
	outline(ctx, size, 3);
	ctx.fill();
	ctx.save();
	const offset = (size - PICTOGRAM_PX) / 2;
	ctx.translate(offset, offset);
	ctx.scale(PICTOGRAM_PX / 24, PICTOGRAM_PX / 24);
	ctx.fillStyle = '#ffffff';
	ctx.fill(new Path2D(badge.pictogram), 'evenodd');
	ctx.restore();
	badge.overlay?.(ctx);
	return { image: ctx.getImageData(0, 0, px, px), pixelRatio: ratio };
}

/** A rounded square; the corner radius shrinks with the inset so rim and body stay concentric. */
const roundedSquare: Outline = (ctx, size, inset) => {
	const [x, y, w, h, r] = [inset, inset, size - 2 * inset, size - 2 * inset, 6.75 - 0.75 * inset];
	ctx.beginPath();
	ctx.moveTo(x + r, y);
	ctx.arcTo(x + w, y, x + w, y + h, r);
	ctx.arcTo(x + w, y + h, x, y + h, r);
	ctx.arcTo(x, y + h, x, y, r);
	ctx.arcTo(x, y, x + w, y, r);
	ctx.closePath();
};

const disc: Outline = (ctx, size, inset) => {
	const c = size / 2;
	ctx.beginPath();
	ctx.arc(c, c, c - inset, 0, Math.PI * 2);
};

/** Draws the icon named `db:<kind>:<#rrggbb>`; null for names that are not ours. */
export function drawIcon(name: string, pixelRatio: number): MapIcon | null {
	const parsed = parseIconName(name);
	if (!parsed || !isFeatureKind(parsed.kind)) return null;
	return drawBadge({ size: 26, outline: roundedSquare, color: parsed.color, pictogram: kindSpec(parsed.kind).icon }, pixelRatio);
}

/** Draws a monitoring-point icon `mp:<kind>:<show>`: a disc in the state colour with the kind's pictogram. */
export function drawMonitorIcon(name: string, pixelRatio: number): MapIcon | null {
	const parsed = parseMonitorIconName(name);
	if (!parsed) return null;
	const size = 28;
	const faultSlash = (ctx: CanvasRenderingContext2D) => {
		ctx.strokeStyle = '#ffbf47';
		ctx.lineWidth = 2.5;
		ctx.lineCap = 'round';
		ctx.beginPath();
		ctx.moveTo(6, size - 6);
		ctx.lineTo(size - 6, 6);
		ctx.stroke();
	};
	return drawBadge(
		{
			size,
			outline: disc,
			color: SHOW_COLORS[parsed.show],
			pictogram: MONITOR_ICONS[parsed.kind],
			overlay: parsed.show === 'fault' ? faultSlash : undefined
		},
		pixelRatio
	);
}
