import type { TestChain } from './chain';
import { rpc } from './rpc';

/**
 * What an observer of every block sees, cut into 32-byte words: each log's topics and data
 * words, each transaction's calldata words (after the selector). The observer knows nothing else;
 * the test knows whose each transaction was (`label`), and scores the observer with it.
 */
export interface Trace {
  /** Whose it is (a patient's name), or undefined for what belongs to no patient (deployments, governance). */
  owner?: string;
  /** Which of the owner's relationships (a grantee's name). */
  relationship?: string;
  words: string[];
}

interface RawLog {
  transactionHash: string;
  topics: string[];
  data: string;
}
interface RawTransaction {
  hash: string;
  input: string;
}
interface RawBlock {
  transactions: RawTransaction[];
}

const words = (hex: string): string[] => (hex.slice(2).match(/.{1,64}/g) ?? []).map((word) => word.padEnd(64, '0'));
/** A bytes32 or address value as the observer sees it in a word. */
export const wordOf = (value: string): string => value.slice(2).toLowerCase().padStart(64, '0');

export class LedgerObserver {
  private readonly labels = new Map<string, { owner: string; relationship: string }>();
  private readonly logLabels = new Map<string, Array<{ owner: string; relationship: string }>>();

  constructor(private readonly chain: TestChain) {}

  /** Ground truth, for scoring only: the transaction `txHash` was `owner`'s, about `relationship`. */
  label(txHash: string, owner: string, relationship: string): void {
    this.labels.set(txHash, { owner, relationship });
  }

  /**
   * Ground truth for a transaction that carries several patients' entries (an AccessLog batch):
   * its first logs, in order, are theirs; the transaction and any further log belong to no one patient.
   */
  labelLogs(txHash: string, labels: Array<{ owner: string; relationship: string }>): void {
    this.logLabels.set(txHash, labels);
  }

  /** Every log and every transaction of the chain, as words. */
  async traces(): Promise<Trace[]> {
    const latest = BigInt(await rpc<string>(this.chain, 'eth_blockNumber', []));
    const traces: Trace[] = [];
    for (let block = 0n; block <= latest; block++) {
      const { transactions } = await rpc<RawBlock>(this.chain, 'eth_getBlockByNumber', [`0x${block.toString(16)}`, true]);
      for (const { hash, input } of transactions) traces.push({ ...this.labels.get(hash), words: words(`0x${input.slice(10)}`) });
    }
    const logs = await rpc<RawLog[]>(this.chain, 'eth_getLogs', [{ fromBlock: '0x0', toBlock: 'latest' }]);
    const seen = new Map<string, number>();
    for (const { transactionHash, topics, data } of logs) {
      const index = seen.get(transactionHash) ?? 0;
      seen.set(transactionHash, index + 1);
      const label = this.logLabels.has(transactionHash) ? this.logLabels.get(transactionHash)![index] : this.labels.get(transactionHash);
      traces.push({ ...label, words: [...topics.map((topic) => topic.slice(2)), ...words(data)] });
    }
    return traces;
  }
}

/**
 * How the observer could join two of `owner`'s relationships: for each pair of them, the words
 * found in both and in no other patient's traces (a value every patient shares, like a scope bit
 * or a day's expiry, points at nobody). Empty when nothing joins them.
 */
export function linksOf(traces: readonly Trace[], owner: string): Array<{ between: [string, string]; words: string[] }> {
  const others = new Set(traces.filter((trace) => trace.owner !== undefined && trace.owner !== owner).flatMap((trace) => trace.words));
  const byRelationship = new Map<string, Set<string>>();
  for (const trace of traces.filter((t) => t.owner === owner)) {
    const set = byRelationship.get(trace.relationship!) ?? new Set<string>();
    trace.words.forEach((word) => set.add(word));
    byRelationship.set(trace.relationship!, set);
  }
  const names = [...byRelationship.keys()].sort();
  const links: Array<{ between: [string, string]; words: string[] }> = [];
  for (const [i, a] of names.entries()) {
    for (const b of names.slice(i + 1)) {
      const shared = [...byRelationship.get(a)!].filter((word) => byRelationship.get(b)!.has(word) && !others.has(word));
      if (shared.length > 0) links.push({ between: [a, b], words: shared.sort() });
    }
  }
  return links;
}

/** How many traces the observer attributes to each of `owner`'s relationships (ground truth). */
export function tracesPerRelationship(traces: readonly Trace[], owner: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const trace of traces.filter((t) => t.owner === owner)) counts[trace.relationship!] = (counts[trace.relationship!] ?? 0) + 1;
  return counts;
}
