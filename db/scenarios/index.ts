/**
 * The built-in scenario library: one JSON package per file (format in docs/scenario-format.md).
 *
 * The files are imported as JSON modules (import attributes), which Vite/SvelteKit, esbuild (the
 * server bundle), tsx and Vitest all understand, so the library ships inside every build without a
 * path to resolve at run time. The packages are exported as they are stored (`unknown`): callers
 * validate them (`validatePackage`), exactly as an imported package would be.
 */
import { validatePackage } from '../../src/lib/domain/scenario/validate';
import type { ScenarioPackage } from '../../src/lib/domain/scenario/schema';
import damBreak from './dam-break-qinglong.json' with { type: 'json' };
import waterlogging from './waterlogging-underpass.json' with { type: 'json' };
import hazmat from './hazmat-linjiang-tank.json' with { type: 'json' };
import mineGas from './mine-gas-xishan.json' with { type: 'json' };
import quakeLandslide from './quake-landslide-xishan.json' with { type: 'json' };
import forestFire from './forest-fire-beishan.json' with { type: 'json' };
import highriseFire from './highrise-fire-binjiang.json' with { type: 'json' };

/** The built-in packages as stored, in library order (validate before use). */
export const BUILTIN_SCENARIOS: readonly unknown[] = [damBreak, waterlogging, hazmat, mineGas, quakeLandslide, forestFire, highriseFire];

/** The built-in packages, validated and with defaults filled; throws if one is invalid (a build error). */
export function loadBuiltinScenarios(): ScenarioPackage[] {
	return BUILTIN_SCENARIOS.map((raw, n) => {
		const check = validatePackage(raw);
		if (!check.ok) {
			const id = (raw as { id?: unknown })?.id ?? `#${n}`;
			throw new Error(`Built-in scenario ${String(id)} is invalid: ${check.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`);
		}
		return check.pkg;
	});
}
