import { hash, verify } from '@node-rs/argon2';

/** argon2id parameters (OWASP minimum); tests may lower the cost via ARGON2_TEST_FAST. */
const params = () =>
	process.env.ARGON2_TEST_FAST === '1'
		? { memoryCost: 1024, timeCost: 1, parallelism: 1 }
		: { memoryCost: 19456, timeCost: 2, parallelism: 1 };

export function hashPassword(password: string): Promise<string> {
	return hash(password, params());
}

export async function verifyPassword(stored: string, password: string): Promise<boolean> {
	try {
		return await verify(stored, password);
	} catch {
		return false;
	}
}

/** A fixed hash so unknown usernames cost as much as wrong passwords (no timing oracle). */
let dummy: Promise<string> | undefined;
export async function burnPasswordCheck(password: string): Promise<void> {
	dummy ??= hashPassword('drillboard-timing-equaliser');
	await verifyPassword(await dummy, password);
}
