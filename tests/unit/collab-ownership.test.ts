import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { admitBatch, ClientOwners } from '../../server/collab/ownership';
import { updateEffect } from '../../server/collab/updates';

describe('ClientOwners', () => {
	it('admits known own ids without claims, claims new ones and refuses others', () => {
		const owners = new ClientOwners();
		owners.settle([
			[1, 'ann'],
			[2, null]
		]);
		expect(owners.admit('ann', [1])).toEqual({ claims: [] });
		expect(owners.admit('ann', [1, 3])).toEqual({ claims: [3] });
		expect(owners.admit('bob', [3])).toEqual({ foreign: 3 }); // held for ann until settled
		expect(owners.admit('bob', [4, 2])).toEqual({ foreign: 2 }); // the server's
		expect(owners.admit('bob', [4])).toEqual({ claims: [4] }); // the refused change held nothing
		expect(owners.admit(null, [2])).toEqual({ claims: [] });
	});

	it('settles claims from the database, releasing the ones it did not take', () => {
		const owners = new ClientOwners();
		owners.admit('ann', [5, 6]);
		owners.settle([[5, 'carl']], [5, 6]);
		expect(owners.admit('ann', [5])).toEqual({ foreign: 5 });
		expect(owners.admit('bob', [6])).toEqual({ claims: [6] });
	});

	it("refuses an id another user's presence announces", () => {
		const owners = new ClientOwners((id) => (id === 7 ? 'ann' : undefined));
		expect(owners.admit('bob', [7])).toEqual({ foreign: 7 });
		expect(owners.admit('ann', [7])).toEqual({ claims: [7] });
	});
});

describe('admitBatch', () => {
	const entry = (userId: string | null, claims: number[], origin: string) => ({ userId, claims, origin });

	it("refuses entries under another's id and everything after them from the same origin; the first claimant of a free id wins", () => {
		const a1 = entry('ann', [1], 'a');
		const b1 = entry('bob', [9], 'b');
		const b2 = entry('bob', [], 'b');
		const c1 = entry('carl', [1], 'c');
		const a2 = entry('ann', [1, 2], 'a');
		const { kept, refused, claimed } = admitBatch([a1, b1, b2, c1, a2], new Map([[9, 'ann']]));
		expect(kept).toEqual([a1, a2]);
		expect(refused).toEqual([b1, b2, c1]);
		expect(claimed).toEqual(
			new Map([
				[1, 'ann'],
				[2, 'ann']
			])
		);
	});

	it('treats the server (null) as an owner like any other', () => {
		const { kept, refused } = admitBatch([entry('ann', [3], 'a'), entry(null, [3], 's')], new Map([[3, null]]));
		expect(kept.map((e) => e.origin)).toEqual(['s']);
		expect(refused.map((e) => e.origin)).toEqual(['a']);
	});
});

describe('updateEffect', () => {
	it('names the client ids whose clocks an update advances, not the ones it only deletes from', () => {
		const doc = new Y.Doc();
		const peer = new Y.Doc();
		peer.clientID = 11;
		peer.getMap('m').set('k', 1);
		Y.applyUpdate(doc, Y.encodeStateAsUpdate(peer));
		const other = new Y.Doc();
		Y.applyUpdate(other, Y.encodeStateAsUpdate(peer));
		other.clientID = 22;
		let change: Uint8Array = new Uint8Array();
		other.on('update', (u: Uint8Array) => (change = u));
		other.getMap('m').delete('k');
		expect(updateEffect(doc, change)).toEqual({ changes: true, authors: new Set() });
		other.getMap('m').set('j', 2);
		expect(updateEffect(doc, change)).toEqual({ changes: true, authors: new Set([22]) });
		expect(updateEffect(doc, Y.encodeStateAsUpdate(peer))).toEqual({ changes: false, authors: new Set() });
	});
});
