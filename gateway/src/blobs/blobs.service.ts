import { HttpStatus, Injectable } from '@nestjs/common';
import { createHash, randomUUID } from 'node:crypto';
import { utils } from 'web3';
import { AnchorVerifier } from '../anchoring/anchor-verifier';
import { AccountPrincipal } from '../auth/principal';
import { Role } from '../auth/permissions';
import { ChainClient } from '../chain/chain-client';
import { RecordAnchors } from '../chain/record-anchors';
import { NO_PREVIOUS_VERSION, recordIdOnChain, RecordVersion, RecordVersionJson, recordVersionToJson } from '../chain/record-batch';
import { ApiError, NotFoundError } from '../common/errors';
import { GroupCommit } from '../common/group-commit';
import { IpfsStore } from '../ipfs/ipfs-store';
import { OutboxService } from '../outbox/outbox.service';
import { BlobResponseDto } from './blob.dto';
import { BlobEntity } from './blob.entity';
import { BlobStore } from './blob.store';
import { RecordAnchorHandler } from './record-anchor.handler';

const WAIT_MS = 30_000;

/** The anchor id of a blob on chain: its uuid's 16 bytes, right-padded to bytes32. */
export const anchorId = recordIdOnChain;

/** Blobs belong to no patient: their versions carry the zero handle and category 0. */
const NO_PATIENT = `0x${'00'.repeat(32)}`;

const notAnchored = (blob: BlobEntity) =>
  blob.anchorStatus === 'failed'
    ? new ApiError(HttpStatus.CONFLICT, 'ANCHOR_FAILED', `Blob ${blob.id} could not be anchored (${blob.anchorError ?? 'unknown reason'}), so it cannot be served verified`)
    : new ApiError(HttpStatus.CONFLICT, 'ANCHOR_PENDING', `Blob ${blob.id} is not anchored on chain yet; retry once GET /v1/blobs/${blob.id} shows it anchored`);

const integrityError = (what: string) =>
  new ApiError(HttpStatus.BAD_GATEWAY, 'INTEGRITY_MISMATCH', `Stored data does not match its ${what}; refusing to return it`);

/** A blob to insert, with the version its anchor will write. */
type NewBlob = Pick<BlobEntity, 'id' | 'cid' | 'sha512' | 'sizeBytes' | 'createdBy'> & { version: RecordVersionJson };

/** The record version a blob is anchored as: everything but the author comes from the row itself. */
function blobVersion(blob: Pick<BlobEntity, 'id' | 'cid' | 'sha512'>, author: string): RecordVersion {
  return { recordId: anchorId(blob.id), patientHandle: NO_PATIENT, cid: blob.cid, sha512Digest: blob.sha512, category: 0, previousVersion: NO_PREVIOUS_VERSION, tombstone: false, author };
}

/**
 * The plumbing every record uses: bytes to IPFS, SHA-512 anchored on chain in Merkle batches
 * (via the outbox), a row in Postgres, and a read that re-checks all three. Records add
 * encryption and consent on top.
 */
@Injectable()
export class BlobsService {
  private authorOf?: { address: string; checksummed: string };

  /**
   * New blobs' rows and their anchors' outbox rows: uploads that arrive while a write is in
   * flight go together in the next, one statement for all (GroupCommit).
   */
  private readonly inserts = new GroupCommit<NewBlob, Date>(async (blobs) => {
    const rows = await this.outbox.enqueueWith<RecordVersionJson, { id: string; created_at: Date | string }>(
      RecordAnchorHandler, blobs.map((b) => ({ ref: b.id, payload: b.version })), this.blobs.insertStatement(blobs),
    );
    const createdAt = new Map(rows.map((row) => [row.id, new Date(row.created_at)]));
    return blobs.map((b) => createdAt.get(b.id)!);
  });

  constructor(
    private readonly blobs: BlobStore,
    private readonly ipfs: IpfsStore,
    private readonly anchors: RecordAnchors,
    private readonly chain: ChainClient,
    private readonly outbox: OutboxService,
    private readonly verifier: AnchorVerifier,
  ) {}

  async create(auth: AccountPrincipal, bytes: Buffer, wait: boolean): Promise<BlobResponseDto> {
    // Another content type was parsed as something else (JSON: an object); its bytes are not what was sent.
    if (!Buffer.isBuffer(bytes)) {
      throw new ApiError(HttpStatus.UNSUPPORTED_MEDIA_TYPE, 'UNSUPPORTED_MEDIA_TYPE', 'Send the bytes to store as application/octet-stream');
    }
    if (bytes.length === 0) {
      throw new ApiError(HttpStatus.BAD_REQUEST, 'EMPTY_BODY', 'Send the bytes to store as application/octet-stream');
    }
    const cid = await this.ipfs.add(bytes);
    const sha512 = createHash('sha512').update(bytes).digest();
    const id = randomUUID();
    // The gateway anchors blobs on its own behalf: the author is its chain account.
    const version = recordVersionToJson(blobVersion({ id, cid, sha512 }, this.author()));
    const blob = { id, cid, sha512, sizeBytes: bytes.length, createdBy: auth.accountId, version };
    const createdAt = await this.inserts.submit(blob);
    if (wait) {
      await this.waitUntilAnchored(id);
      return this.get(auth, id);
    }
    return {
      id, cid, sha512: sha512.toString('hex'), sizeBytes: blob.sizeBytes,
      anchorStatus: 'pending', anchorBatchId: null, anchorTxHash: null, anchoredBlock: null, anchorError: null,
      createdAt,
    };
  }

  /** The gateway's chain account, checksummed (a keccak per call: computed once per address, which a key rotation changes). */
  private author(): string {
    if (this.authorOf?.address !== this.chain.address) this.authorOf = { address: this.chain.address, checksummed: utils.toChecksumAddress(this.chain.address) };
    return this.authorOf.checksummed;
  }

  async get(auth: AccountPrincipal, id: string): Promise<BlobResponseDto> {
    const blob = await this.find(auth, id);
    return {
      id: blob.id,
      cid: blob.cid,
      sha512: blob.sha512.toString('hex'),
      sizeBytes: blob.sizeBytes,
      anchorStatus: blob.anchorStatus,
      anchorBatchId: blob.anchorBatchId,
      anchorTxHash: blob.anchorTxHash,
      anchoredBlock: blob.anchoredBlock === null ? null : Number(blob.anchoredBlock),
      anchorError: blob.anchorError,
      createdAt: blob.createdAt,
    };
  }

  /**
   * The bytes, only once they are proven against the chain: IPFS content equals the recorded
   * digest, and the version rebuilt from the row (record id from the path, CID, digest, author)
   * is a leaf of its batch's root on chain (or, for a blob of an earlier version, equals its
   * single anchor under its record id). Whatever the row says of its status, nothing that
   * cannot be proven is served: a blob not anchored yet (or whose row was set back to pending)
   * gets 409, never bytes checked against the database alone.
   */
  async content(auth: AccountPrincipal, id: string): Promise<Buffer> {
    const blob = await this.find(auth, id);
    const bytes = Buffer.from(await this.ipfs.get(blob.cid));
    if (!createHash('sha512').update(bytes).digest().equals(blob.sha512)) throw integrityError('recorded digest');

    const trusted = this.verifier.trustedAnchorers();
    const { anchorBatchId: batchId, anchorProof: proof, anchorAuthor: author } = blob;
    if (batchId && proof && author) {
      // The gateway anchors blobs on its own behalf, so their author is the key that anchored them.
      if (!trusted.some((address) => address.toLowerCase() === author.toLowerCase()) || !(await this.verifier.inBatch(batchId, blobVersion(blob, author), proof))) {
        throw integrityError('on-chain anchor');
      }
      return bytes;
    }
    // Blobs of earlier versions were anchored one by one, under their record id, by one of our keys.
    for (const anchorer of trusted) {
      const single = await this.anchors.anchorOf(anchorId(blob.id), anchorer);
      if (!single) continue;
      if (!single.digest.equals(blob.sha512) || single.cid !== blob.cid) throw integrityError('on-chain anchor');
      return bytes;
    }
    throw blob.anchorStatus === 'anchored' ? integrityError('on-chain anchor') : notAnchored(blob);
  }

  private async waitUntilAnchored(id: string): Promise<void> {
    const outcome = await this.outbox.waitFor(RecordAnchorHandler, id, WAIT_MS);
    if (outcome === 'timeout') {
      throw new ApiError(HttpStatus.GATEWAY_TIMEOUT, 'ANCHOR_PENDING', `Stored as ${id} but not anchored yet; poll GET /v1/blobs/${id}`);
    }
    if (outcome === 'failed') {
      const blob = await this.blobs.find(id);
      throw new ApiError(HttpStatus.BAD_GATEWAY, 'ANCHOR_FAILED', `Stored as ${id} but anchoring failed: ${blob?.anchorError ?? 'unknown reason'}`);
    }
  }

  /** Object-level check: a caller sees the blobs they stored; administrators see all. */
  private async find(auth: AccountPrincipal, id: string): Promise<BlobEntity> {
    const blob = await this.blobs.find(id);
    if (!blob || (auth.role !== Role.Admin && blob.createdBy !== auth.accountId)) {
      throw new NotFoundError('BLOB_NOT_FOUND', 'No such blob');
    }
    return blob;
  }
}
