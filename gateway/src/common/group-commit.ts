/**
 * Group commit: writes submitted while an earlier write is in flight go together in the next
 * one. Alone, an item is written at once (no added latency); under load, one statement carries
 * every item that arrived meanwhile, so a request costs a fraction of a database round trip.
 *
 * A batch that fails is written again one item at a time, so only the item at fault fails
 * (each item's promise rejects with its own error).
 */
export class GroupCommit<I, O> {
  private queue: Array<{ item: I; resolve: (value: O) => void; reject: (error: unknown) => void }> = [];
  private flushing = false;

  /**
   * @param write writes every item in one go and returns their results in the same order.
   * @param maxBatch the most items in one write (a statement's size stays bounded).
   */
  constructor(private readonly write: (items: I[]) => Promise<O[]>, private readonly maxBatch = 256) {}

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.maxBatch);
        await this.writeBatch(batch);
      }
    } finally {
      this.flushing = false;
    }
  }

  private async writeBatch(batch: GroupCommit<I, O>['queue']): Promise<void> {
    try {
      const results = await this.write(batch.map((entry) => entry.item));
      batch.forEach((entry, i) => entry.resolve(results[i]!));
    } catch (error) {
      if (batch.length === 1) {
        batch[0]!.reject(error);
        return;
      }
      // One bad item must not fail the others: each on its own.
      for (const entry of batch) await this.writeBatch([entry]);
    }
  }
}
