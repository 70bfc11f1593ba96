import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { FsBlockstore } from 'blockstore-fs' with { 'resolution-mode': 'import' };
import type { ShardingStrategy } from 'blockstore-fs/sharding' with { 'resolution-mode': 'import' };
import type { ImporterOptions } from 'ipfs-unixfs-importer' with { 'resolution-mode': 'import' };
import type { CID } from 'multiformats/cid' with { 'resolution-mode': 'import' };
import { DependencyUnavailableError } from '../common/errors';
import {
  IpfsStore,
  KUBO_CIDV1_IMPORT_OPTIONS,
  UnixFsImportProfile,
  concatChunks,
  ipfsNotFoundError,
  parseCid,
} from './ipfs-store';

/**
 * Turns the plain profile into importer options. The chunker and layout are always passed, never
 * left to the importer's defaults (see KUBO_CIDV1_IMPORT_OPTIONS for why).
 * The IPFS libraries are ESM-only and this project is CommonJS, hence the dynamic imports.
 */
export async function unixFsImporterOptions(profile: UnixFsImportProfile): Promise<ImporterOptions> {
  const { fixedSize } = await import('ipfs-unixfs-importer/chunker');
  const { balanced } = await import('ipfs-unixfs-importer/layout');
  return {
    cidVersion: profile.cidVersion,
    rawLeaves: profile.rawLeaves,
    reduceSingleLeafToSelf: profile.reduceSingleLeafToSelf,
    chunker: fixedSize({ chunkSize: profile.chunkSize }),
    layout: balanced({ maxChildrenPerNode: profile.maxChildrenPerNode }),
  };
}

/** Errors from blockstore-fs / the exporter that mean "there is no such file here". */
const MISSING = new Set(['NotFoundError', 'NoResolverError', 'NotUnixFSError']);
/** Errors that mean the directory itself cannot be used (permissions, disk full, gone). */
const UNUSABLE = new Set(['OpenFailedError', 'PutFailedError']);

const errorName = (err: unknown): string | undefined => (err instanceof Error ? err.name : undefined);

/**
 * IPFS in-process: UnixFS blocks in a directory (blockstore-fs), laid out exactly as Kubo lays
 * them out, so the same bytes get the same CID in both modes and records anchored on chain keep
 * their CIDs when a deployment moves to Kubo.
 */
export class EmbeddedIpfsStore extends IpfsStore {
  private readonly dir: string;
  private opening?: Promise<FsBlockstore>;
  /**
   * Blocks being written now, by CID. Uploads of the same bytes share blocks, and blockstore-fs
   * writes a block through a temporary file of a fixed name: two writes of one block at once
   * collide, and the loser retries its rename for about a second (steno: 10 tries, 100 ms
   * apart) before giving up quietly. Measured with `npm run bench` (16 clients uploading one
   * body): p95 1.1 s, against 0.33 s for distinct bodies. So a block is written once however
   * many uploads need it at the same time; the others wait for that write.
   */
  private readonly writing = new Map<string, Promise<void>>();
  /** Shard directories known to exist: a block write costs no mkdir once its shard is made. */
  private readonly shards = new Set<string>();
  private sharding?: ShardingStrategy;

  /**
   * @param importProfile only tests pass another profile (to compare layouts with an outside
   * tool); the gateway always uses Kubo's CIDv1 settings.
   */
  constructor(dir: string, private readonly importProfile: UnixFsImportProfile = KUBO_CIDV1_IMPORT_OPTIONS) {
    super();
    this.dir = resolve(dir);
  }

  async add(bytes: Uint8Array): Promise<string> {
    const blockstore = await this.open();
    const { importFile } = await import('ipfs-unixfs-importer');
    try {
      const entry = await importFile({ content: bytes }, { put: (...args) => this.putOnce(blockstore, ...args) }, await unixFsImporterOptions(this.importProfile));
      return entry.cid.toString();
    } catch (err) {
      if (UNUSABLE.has(errorName(err) ?? '')) throw new DependencyUnavailableError('ipfs', err);
      throw err;
    }
  }

  async get(cid: string): Promise<Uint8Array> {
    const parsed = await parseCid(cid);
    const blockstore = await this.open();
    const { exporter } = await import('ipfs-unixfs-exporter');
    try {
      const entry = await exporter(parsed, blockstore);
      // Directories and non-UnixFS objects are not files this store handed out.
      if (entry.type !== 'file' && entry.type !== 'raw' && entry.type !== 'identity') throw ipfsNotFoundError();
      // content() walks every leaf, so multi-chunk files come back whole.
      return await concatChunks(entry.content());
    } catch (err) {
      if (MISSING.has(errorName(err) ?? '')) throw ipfsNotFoundError();
      throw err;
    }
  }

  async remove(cid: string): Promise<void> {
    const root = await parseCid(cid);
    const blockstore = await this.open();
    const { decode, code: DAG_PB } = await import('@ipld/dag-pb');
    // Leaves first, the root last: a remove cut short leaves a file that still resolves or none.
    const removeTree = async (node: CID): Promise<void> => {
      if (node.code === DAG_PB) {
        let bytes: Uint8Array;
        try {
          bytes = await concatChunks(blockstore.get(node));
        } catch (err) {
          if (MISSING.has(errorName(err) ?? '')) return;
          throw err;
        }
        for (const link of decode(bytes).Links) await removeTree(link.Hash);
      }
      await blockstore.delete(node);
    };
    try {
      await removeTree(root);
    } catch (err) {
      if (UNUSABLE.has(errorName(err) ?? '') || errorName(err) === 'DeleteFailedError') throw new DependencyUnavailableError('ipfs', err);
      throw err;
    }
  }

  async check(): Promise<void> {
    await this.open();
    // Checked on every call, not only at open: the directory can vanish or turn read-only later.
    try {
      await access(this.dir, constants.R_OK | constants.W_OK);
    } catch (err) {
      throw new DependencyUnavailableError('ipfs', err);
    }
  }

  async close(): Promise<void> {
    const opening = this.opening;
    this.opening = undefined;
    const blockstore = await opening?.catch(() => undefined);
    await blockstore?.close();
  }

  private async putOnce(blockstore: FsBlockstore, ...[cid, block, options]: Parameters<FsBlockstore['put']>): ReturnType<FsBlockstore['put']> {
    const key = cid.toString();
    let write = this.writing.get(key);
    if (!write) {
      options?.signal?.throwIfAborted();
      write = this.writeBlock(blockstore, cid, block).finally(() => this.writing.delete(key));
      this.writing.set(key, write);
    }
    await write;
    return cid;
  }

  /**
   * Writes a block where blockstore-fs keeps it (same sharding, so it reads it back), atomically:
   * the bytes go to a temporary file of this write's own and are renamed into place. Not
   * blockstore-fs's own put, for two measured reasons: it makes the shard directory on every
   * put (a file-system round trip per block), and its temporary file has one name per block, so
   * two processes writing the same block at once (GATEWAY_WORKERS) collide and the loser retries
   * for a second (bench, same bytes, 2 workers: p95 0.9 s). Content addressing makes the rename
   * right whoever wins: both wrote the same bytes.
   */
  private async writeBlock(blockstore: FsBlockstore, ...[cid, block]: Parameters<FsBlockstore['put']>): Promise<void> {
    const { dir, file } = this.sharding!.encode(cid);
    // The importer hands over whole blocks; the interface also allows them in pieces.
    const bytes = block instanceof Uint8Array ? block : await concatChunks(block);
    const shard = join(blockstore.path, dir);
    const tmp = join(shard, `.${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
    try {
      if (!this.shards.has(shard)) {
        await mkdir(shard, { recursive: true });
        this.shards.add(shard);
      }
      await writeFile(tmp, bytes);
      await rename(tmp, join(shard, file));
    } catch (err) {
      // The directory may have been removed or turned unusable under us: make it again next time.
      this.shards.delete(shard);
      await rm(tmp, { force: true }).catch(() => undefined);
      throw new DependencyUnavailableError('ipfs', err);
    }
  }

  /** Opens the blockstore once (creating the directory); a failed open is retried on the next call. */
  private open(): Promise<FsBlockstore> {
    this.opening ??= (async () => {
      const { FsBlockstore } = await import('blockstore-fs');
      const { NextToLast } = await import('blockstore-fs/sharding');
      this.sharding = new NextToLast();
      const blockstore = new FsBlockstore(this.dir, { createIfMissing: true, shardingStrategy: this.sharding });
      await blockstore.open();
      return blockstore;
    })().catch((err: unknown) => {
      this.opening = undefined;
      throw new DependencyUnavailableError('ipfs', err);
    });
    return this.opening;
  }
}
