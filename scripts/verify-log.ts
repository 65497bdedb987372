// `npm run log:verify -- <exercise id>`: re-walks an exercise's command-chain log and names the first
// broken sequence number. Opens DATABASE_URL, or the PGlite folder DATA_DIR (./data) — stop the server
// first when on PGlite, which allows one process at a time.
import { eq } from 'drizzle-orm';
import { openDatabase } from '../db/client';
import { exercises } from '../db/schema';
import { configFromEnv } from '../server/context';
import { verifyLog } from '../server/commandlog';

const exerciseId = process.argv[2];
if (!exerciseId) {
	console.error('usage: npm run log:verify -- <exercise id>');
	process.exit(2);
}
const config = configFromEnv();
const database = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
try {
	const [exercise] = await database.db.select().from(exercises).where(eq(exercises.id, exerciseId)).limit(1);
	if (!exercise) {
		console.error(`No exercise ${exerciseId}.`);
		process.exitCode = 2;
	} else {
		const v = await verifyLog(database.db, exerciseId);
		if (v.ok) console.log(`OK: ${v.count} entries, chain head ${v.head}`);
		else console.log(`BROKEN at sequence ${v.brokenSeq}: ${v.reason} (${v.count} entries)`);
		process.exitCode = v.ok ? 0 : 1;
	}
} finally {
	await database.close();
}
