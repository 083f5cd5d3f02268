import { describe, expect, it } from 'vitest';
import { startLab } from '../../src/lab';

const handles = () => process.getActiveResourcesInfo().filter((name) => name !== 'TTYWRAP');
const settle = () => new Promise((resolve) => setTimeout(resolve, 100));

describe('the embedded lab', () => {
  it('starts STUN, GUN and PeerJS on loopback and leaves nothing behind when closed (no Gun left running)', async () => {
    await settle();
    const before = handles().length;
    const lab = await startLab();
    expect(lab.config.targets.map((t) => t.kind)).toEqual(['stun', 'stun', 'gun', 'peerjs']);
    for (const target of lab.config.targets) expect(target.url).toMatch(/127\.0\.0\.1/);
    const response = await fetch(`${lab.peerjs.url}/${lab.peerjs.key}/id`);
    expect(response.status).toBe(200);
    await lab.close();
    await lab.close(); // idempotent
    await settle();
    // the GUN relay and the PeerJS server ran in worker threads that are now gone, with their timers
    expect(handles().length).toBeLessThanOrEqual(before);
  });
});
