import type { AddOptions, KuboRPCClient } from 'kubo-rpc-client' with { 'resolution-mode': 'import' };
import { ApiError, DependencyUnavailableError } from '../common/errors';
import {
  IpfsStore,
  KUBO_CIDV1_IMPORT_OPTIONS,
  concatChunks,
  ipfsNotFoundError,
  parseCid,
} from './ipfs-store';

export interface KuboTimeouts {
  /** Health probe: a node that needs longer than this is not healthy. */
  checkMs: number;
  /**
   * How long Kubo may look for a file's blocks, locally and from swarm peers (other sites' Kubo
   * behind IPFS Cluster), before we call the file absent. Without a deadline a missing block
   * makes Kubo search forever.
   */
  fetchMs: number;
  /** Whole upload and import of one file. */
  addMs: number;
  /**
   * Our own signal on reads outlives Kubo's deadline by this much, so that "Kubo searched and
   * gave up" (absent: 404) is told apart from "Kubo did not answer at all" (unavailable: 503).
   */
  graceMs: number;
}

export const DEFAULT_KUBO_TIMEOUTS: KuboTimeouts = Object.freeze({
  checkMs: 5_000,
  fetchMs: 30_000,
  addMs: 120_000,
  graceMs: 5_000,
});

/**
 * The Kubo node's Import.* config may have been switched to another profile (e.g. IPIP-499
 * unixfs-v1-2025: 1 MiB chunks, 1024 links), so every setting that shapes the CID is sent with
 * each add. `max-file-links` (experimental in Kubo) and `inline` are not in the client's
 * AddOptions type; the client forwards unknown options as kebab-case query parameters.
 */
const ADD_OPTIONS: AddOptions & { maxFileLinks: number; inline: boolean } = {
  cidVersion: KUBO_CIDV1_IMPORT_OPTIONS.cidVersion,
  rawLeaves: KUBO_CIDV1_IMPORT_OPTIONS.rawLeaves,
  chunker: `size-${KUBO_CIDV1_IMPORT_OPTIONS.chunkSize}`,
  trickle: false,
  maxFileLinks: KUBO_CIDV1_IMPORT_OPTIONS.maxChildrenPerNode,
  hashAlg: 'sha2-256',
  // Inlining would turn small files into identity CIDs that the embedded store never makes.
  inline: false,
  pin: true,
};

/** What Kubo says when its own deadline ran out (kubo-rpc-client turns it into a TimeoutError). */
const KUBO_DEADLINE = /context deadline exceeded|request timed out|deadline has elapsed/i;
/** Kubo's command errors for a CID it has no file for. */
const KUBO_MISSING = /not found|could not find|no link named/i;

/** IPFS through a Kubo node's RPC API (production: the Kubo container in docker compose). */
export class KuboIpfsStore extends IpfsStore {
  private client?: Promise<KuboRPCClient>;

  constructor(
    private readonly apiUrl: string,
    private readonly timeouts: KuboTimeouts = DEFAULT_KUBO_TIMEOUTS,
  ) {
    super();
  }

  async add(bytes: Uint8Array): Promise<string> {
    const client = await this.connect();
    try {
      const result = await client.add(bytes, { ...ADD_OPTIONS, signal: AbortSignal.timeout(this.timeouts.addMs) });
      // Kubo already answers in CIDv1; toV1() only guards against a node that ignored cid-version.
      return result.cid.toV1().toString();
    } catch (err) {
      throw this.toStoreError(err, false);
    }
  }

  async get(cid: string): Promise<Uint8Array> {
    const parsed = await parseCid(cid);
    const client = await this.connect();
    const path = `/ipfs/${parsed.toString()}`;
    try {
      const stat = await client.files.stat(path, this.fetchOptions());
      if (stat.type !== 'file') throw ipfsNotFoundError();
      const bytes = await concatChunks(client.cat(path, this.fetchOptions()));
      // Kubo reports an error after the body has started only in an HTTP trailer, which fetch
      // cannot read: a cut stream would otherwise pass for a shorter file.
      if (bytes.byteLength !== stat.size) {
        throw new Error(`Kubo returned ${bytes.byteLength} of ${stat.size} bytes for ${path}`);
      }
      return bytes;
    } catch (err) {
      throw this.toStoreError(err, true);
    }
  }

  /**
   * Unpins the file and deletes its blocks from this node at once (`block rm --force`), so a
   * read after an erasure finds nothing here, as with the embedded store; garbage collection
   * would only reclaim them later. Copies another site's node replicated (IPFS Cluster) are that
   * node's to remove.
   */
  async remove(cid: string): Promise<void> {
    const parsed = await parseCid(cid);
    const client = await this.connect();
    try {
      await client.pin.rm(parsed, { signal: AbortSignal.timeout(this.timeouts.fetchMs) }).catch((err: unknown) => {
        // boxo's pin.ErrNotPinned: nothing of ours to unpin (a retried erasure).
        if (!(err instanceof Error && err.message.includes('not pinned'))) throw err;
      });
      const { CID } = await import('multiformats/cid');
      const blocks = [parsed];
      try {
        for await (const { ref, err } of client.refs(parsed, { recursive: true, unique: true, ...this.fetchOptions() })) {
          if (err) throw err;
          blocks.push(CID.parse(ref));
        }
      } catch (err) {
        // The root is not on this node any more (an erasure retried): there is nothing to walk.
        if (!(err instanceof Error && KUBO_DEADLINE.test(err.message))) throw err;
      }
      for await (const result of client.block.rm(blocks.reverse(), { force: true, signal: AbortSignal.timeout(this.timeouts.fetchMs) })) {
        if (result.error) throw result.error;
      }
    } catch (err) {
      throw this.toStoreError(err, false);
    }
  }

  async check(): Promise<void> {
    const client = await this.connect();
    try {
      await client.version({ signal: AbortSignal.timeout(this.timeouts.checkMs) });
    } catch (err) {
      throw this.toStoreError(err, false);
    }
  }

  async close(): Promise<void> {
    // The client holds no connection of its own (fetch pools them); dropping it is enough.
    this.client = undefined;
  }

  private fetchOptions(): { timeout: number; signal: AbortSignal } {
    // `timeout` goes to Kubo as its own deadline (`?timeout=30000ms`); the client's `timeout`
    // constructor option is not applied to requests in kubo-rpc-client 7, so we pass a signal.
    return { timeout: this.timeouts.fetchMs, signal: AbortSignal.timeout(this.timeouts.fetchMs + this.timeouts.graceMs) };
  }

  private connect(): Promise<KuboRPCClient> {
    this.client ??= import('kubo-rpc-client')
      .then(({ create }) => create({ url: this.apiUrl }))
      .catch((err: unknown) => {
        this.client = undefined;
        throw new DependencyUnavailableError('ipfs', err);
      });
    return this.client;
  }

  private toStoreError(err: unknown, reading: boolean): Error {
    if (err instanceof ApiError) return err;
    // Our AbortSignal fired (a DOMException): Kubo is hung or unreachable, not "file absent".
    const fromKubo = err instanceof Error && !(err instanceof DOMException);
    if (reading && fromKubo && (KUBO_DEADLINE.test(err.message) || (err.name === 'HTTPError' && KUBO_MISSING.test(err.message)))) {
      return ipfsNotFoundError();
    }
    return new DependencyUnavailableError('ipfs', err);
  }
}
