/** admit-batch-var.lua on its own: the contract in its header. */
import { describe, expect, it } from 'vitest';
import { type AdmitBatchReply, admitBatchScript, eventsStreamKey, runScript, seenKey } from '@ddup/redis-keys';
import { useTestRedis } from '@ddup/test-utils';

const test = useTestRedis({ flushAfterEach: true });
const stream = eventsStreamKey(0);
const hashA = 'a'.repeat(64);
const hashB = 'b'.repeat(64);

async function admit(keys: string[], args: string[]) {
  return await runScript<AdmitBatchReply>(test.client, admitBatchScript.withKeyCount(keys.length), keys, args);
}

describe('admit-batch-var.lua', () => {
  it('admits each new hash, and answers a hash repeated within the same call as a pending duplicate', async () => {
    const reply = await admit(
      [stream, seenKey(0, hashA), seenKey(0, hashB), seenKey(0, hashA)],
      ['60', hashA, '{"a": 1}', hashB, '{"b": 2}', hashA, '{"a": 1}'],
    );
    expect(reply).toEqual([1, expect.stringMatching(/^\d+-\d+$/), 1, expect.stringMatching(/^\d+-\d+$/), 0, 'pending']);
    const entries = await test.client.xRange(stream, '-', '+');
    expect((entries ?? []).map((entry) => entry.message)).toEqual([
      { hash: hashA, event: '{"a": 1}' },
      { hash: hashB, event: '{"b": 2}' },
    ]);
    expect((entries ?? []).map((entry) => entry.id)).toEqual([reply[1], reply[3]]);
    expect(await test.client.ttl(seenKey(0, hashA))).toBeGreaterThan(55);
  });

  it('answers duplicates with the state of their seen key', async () => {
    await test.client.set(seenKey(0, hashA), 'processed');
    expect(await admit([stream, seenKey(0, hashA)], ['60', hashA, '{}'])).toEqual([0, 'processed']);
    expect(await test.client.exists(stream)).toBe(0);
  });

  it('takes an empty batch, and refuses keys and arguments that do not pair up', async () => {
    expect(await admit([stream], ['60'])).toEqual([]);
    await expect(admit([stream, seenKey(0, hashA)], ['60', hashA])).rejects.toThrow(/expected 1 \+ n keys and 1 \+ 2n arguments/);
  });

  it('is loaded again (EVAL) after SCRIPT FLUSH', async () => {
    await test.client.scriptFlush();
    expect(await admit([stream, seenKey(0, hashB)], ['60', hashB, '{}'])).toEqual([1, expect.any(String)]);
  });

  it('states the key count per call, and refuses a mismatch before sending anything', async () => {
    expect(admitBatchScript.withKeyCount(3).numberOfKeys).toBe(3);
    await expect(
      runScript(test.client, admitBatchScript.withKeyCount(3), [stream, seenKey(0, hashA)], ['60', hashA, '{}']),
    ).rejects.toThrow(TypeError);
  });
});
