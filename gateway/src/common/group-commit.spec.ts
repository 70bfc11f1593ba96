import { setTimeout as sleep } from 'node:timers/promises';
import { GroupCommit } from './group-commit';

/** A write that records the batches it was given and takes `ms` to answer. */
function recordingWrite(ms = 5, fails: (item: number) => boolean = () => false) {
  const batches: number[][] = [];
  const write = async (items: number[]): Promise<string[]> => {
    batches.push(items);
    await sleep(ms);
    const bad = items.find(fails);
    if (bad !== undefined) throw new Error(`item ${bad} is bad`);
    return items.map((item) => `wrote ${item}`);
  };
  return { batches, write };
}

describe('GroupCommit', () => {
  it('writes an item alone at once, and the items that arrive meanwhile together in the next write', async () => {
    const { batches, write } = recordingWrite();
    const group = new GroupCommit(write);

    const results = await Promise.all([1, 2, 3, 4, 5].map((item) => group.submit(item)));

    expect(results).toEqual(['wrote 1', 'wrote 2', 'wrote 3', 'wrote 4', 'wrote 5']);
    // The first is written before the others are even submitted; the rest wait for it and go as one.
    expect(batches).toEqual([[1], [2, 3, 4, 5]]);
  });

  it('never puts more than maxBatch items in one write', async () => {
    const { batches, write } = recordingWrite();
    const group = new GroupCommit(write, 3);

    await Promise.all(Array.from({ length: 8 }, (_, i) => group.submit(i)));

    expect(batches.map((b) => b.length)).toEqual([1, 3, 3, 1]);
  });

  it('fails only the item at fault: a failed batch is written again one item at a time', async () => {
    const { batches, write } = recordingWrite(5, (item) => item === 3);
    const group = new GroupCommit(write);

    const outcomes = await Promise.allSettled([1, 2, 3, 4].map((item) => group.submit(item)));

    expect(outcomes.map((o) => (o.status === 'fulfilled' ? o.value : (o.reason as Error).message))).toEqual(['wrote 1', 'wrote 2', 'item 3 is bad', 'wrote 4']);
    expect(batches).toEqual([[1], [2, 3, 4], [2], [3], [4]]);
  });

  it('keeps writing after a failure', async () => {
    const { write } = recordingWrite(1, (item) => item === 0);
    const group = new GroupCommit(write);

    await expect(group.submit(0)).rejects.toThrow('item 0 is bad');
    await expect(group.submit(1)).resolves.toBe('wrote 1');
  });
});
