// Interest groups do not cross the cluster bus yet (PROTOCOL.md §4.5 rule 1): a clustered relay
// offers none, and says so with too_many_groups instead of delivering to one node's members only.
import { DeliveryClass, encodeData } from '@roomcast/protocol';
import { describe, expect, it } from 'vitest';
import { useCluster } from './nodes.js';

const cluster = useCluster();

describe('interest groups in a cluster', () => {
  it('are refused clearly on every node; ungrouped latest values still cross', async () => {
    const a = await cluster.node('a');
    const b = await cluster.node('b');
    const onA = await cluster.ws(a);
    const onB = await cluster.tcp(b);
    const ja = await onA.request({ type: 'join', room: 'grid' }, 'joined');
    await onB.request({ type: 'join', room: 'grid' }, 'joined');
    const err = await onA.request({ type: 'interest', room: ja.handle, groups: [1] }, 'error');
    expect(err).toMatchObject({ code: 'too_many_groups', room: ja.handle, message: expect.stringContaining('clustered relays do not carry groups yet') });
    onA.sendFrame(encodeData({ room: ja.handle, cls: DeliveryClass.Latest, key: 0, group: 1 }, Uint8Array.of(1)));
    expect(await onA.nextError('too_many_groups')).toMatchObject({ room: ja.handle });
    onA.sendFrame(encodeData({ room: ja.handle, cls: DeliveryClass.Latest, key: 0 }, Uint8Array.of(2)));
    const batch = await onB.next((f) => f.kind === 'batch' && f.entries.length > 0);
    expect(batch).toMatchObject({ kind: 'batch', entries: [{ sender: ja.self, key: 0, payload: Uint8Array.of(2) }] });
    expect(a.relay.rooms.get('grid')?.groups).toBeUndefined();
  });
});
