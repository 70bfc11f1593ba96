import { HttpStatus } from '@nestjs/common';
import type { CID } from 'multiformats/cid' with { 'resolution-mode': 'import' };
import { ApiError, NotFoundError } from '../common/errors';

/**
 * How a file becomes a UnixFS DAG. Plain data (no library objects) so that tests can assert it
 * and both stores derive their settings from the same values.
 */
export interface UnixFsImportProfile {
  readonly cidVersion: 0 | 1;
  /** Leaves hold the file bytes as `raw` blocks instead of UnixFS-wrapped dag-pb nodes. */
  readonly rawLeaves: boolean;
  /** A file that fits in one chunk is that chunk's block, with no parent node. */
  readonly reduceSingleLeafToSelf: boolean;
  /** Fixed-size chunker, bytes per leaf. */
  readonly chunkSize: number;
  readonly layout: 'balanced';
  /** Links per dag-pb node before the balanced layout adds a level. */
  readonly maxChildrenPerNode: number;
}

/**
 * What `ipfs add --cid-version=1` does in Kubo: CIDv1 implies raw leaves; the chunker is
 * `size-262144` and the balanced layout caps nodes at 174 links (boxo's DefaultLinksPerBlock).
 * Written out instead of relying on the importer's defaults, because ipfs-unixfs-importer also
 * offers IPIP-499's `unixfs-v1-2025` profile (1 MiB chunks, 1024 links), which gives other CIDs
 * for the same bytes: a silent change of defaults would break every anchored CID.
 */
export const KUBO_CIDV1_IMPORT_OPTIONS: UnixFsImportProfile = Object.freeze({
  cidVersion: 1,
  rawLeaves: true,
  reduceSingleLeafToSelf: true,
  chunkSize: 262_144,
  layout: 'balanced',
  maxChildrenPerNode: 174,
});

/**
 * Content-addressed file storage, embedded (blockstore on disk) or a Kubo node. A repository with
 * no business logic: bytes in, CID out; whether a caller may read a CID is decided elsewhere.
 * The abstract class is the Nest injection token.
 */
export abstract class IpfsStore {
  /** Stores the bytes as one UnixFS file and returns its CIDv1 (base32), as Kubo would. */
  abstract add(bytes: Uint8Array): Promise<string>;

  /**
   * The whole file behind `cid`.
   * @throws ApiError INVALID_CID (400) when `cid` does not parse, NotFoundError IPFS_NOT_FOUND (404)
   * when no such file is stored, DependencyUnavailableError (503) when the store cannot be reached.
   */
  abstract get(cid: string): Promise<Uint8Array>;

  /**
   * Unpins the file behind `cid` so its blocks go (a record's erasure): the embedded store
   * deletes them at once, Kubo unpins and leaves the blocks to its garbage collection. Removing
   * what is not there is no error. The file's blocks must be its own: records' ciphertexts are.
   */
  abstract remove(cid: string): Promise<void>;

  /** Resolves when the store can serve requests; throws DependencyUnavailableError('ipfs') otherwise. */
  abstract check(): Promise<void>;

  abstract close(): Promise<void>;
}

export function invalidCidError(): ApiError {
  return new ApiError(HttpStatus.BAD_REQUEST, 'INVALID_CID', 'The CID is not valid');
}

export function ipfsNotFoundError(): NotFoundError {
  return new NotFoundError('IPFS_NOT_FOUND', 'No file with this CID is stored');
}

/**
 * Parses a bare CID (v0 `Qm…` or v1 in base32/base58btc). Paths (`<cid>/name`) are refused: the
 * stores hold single files, and a path would let a caller walk into directories someone else made.
 */
export async function parseCid(text: string): Promise<CID> {
  const { CID } = await import('multiformats/cid');
  try {
    return CID.parse(text);
  } catch {
    throw invalidCidError();
  }
}

/**
 * Joins streamed chunks into one fresh buffer. Always copies: a chunk may be a view into a larger
 * (pooled) buffer, and a caller reaching `.buffer` must not see bytes that are not this file's.
 */
export async function concatChunks(chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let length = 0;
  for await (const chunk of chunks) {
    parts.push(chunk);
    length += chunk.byteLength;
  }
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}
