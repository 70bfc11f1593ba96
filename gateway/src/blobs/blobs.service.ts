import { HttpStatus, Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { AccountPrincipal } from '../auth/principal';
import { Role } from '../auth/permissions';
import { RecordAnchors } from '../chain/record-anchors';
import { ApiError, NotFoundError } from '../common/errors';
import { IpfsStore } from '../ipfs/ipfs-store';
import { OutboxEntity } from '../outbox/outbox.entity';
import { OutboxService } from '../outbox/outbox.service';
import { BlobResponseDto } from './blob.dto';
import { BlobEntity } from './blob.entity';

const WAIT_MS = 30_000;

/** The anchor id of a blob on chain: its uuid's 16 bytes, right-padded to bytes32. */
export const anchorId = (id: string): string => `0x${id.replace(/-/g, '')}${'0'.repeat(32)}`;

const integrityError = (what: string) =>
  new ApiError(HttpStatus.BAD_GATEWAY, 'INTEGRITY_MISMATCH', `Stored data does not match its ${what}; refusing to return it`);

/**
 * The plumbing every record uses: bytes to IPFS, SHA-512 to the chain (via the outbox), a row
 * in Postgres, and a read that re-checks all three. Records add encryption and consent on top.
 */
@Injectable()
export class BlobsService implements OnModuleInit {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly ipfs: IpfsStore,
    private readonly anchors: RecordAnchors,
    private readonly outbox: OutboxService,
  ) {}

  onModuleInit(): void {
    this.outbox.register({
      kind: 'anchor',
      send: (p) => this.anchors.anchor(String(p.recordId), String(p.cid), Buffer.from(String(p.sha512), 'hex')),
      confirmed: (manager: EntityManager, row: OutboxEntity, blockNumber: bigint) =>
        manager.update(BlobEntity, { id: row.ref }, { anchorStatus: 'anchored', anchorTxHash: row.txHash, anchoredBlock: blockNumber.toString() }).then(() => undefined),
    });
  }

  async create(auth: AccountPrincipal, bytes: Buffer, wait: boolean): Promise<BlobResponseDto> {
    if (!Buffer.isBuffer(bytes) || bytes.length === 0) {
      throw new ApiError(HttpStatus.BAD_REQUEST, 'EMPTY_BODY', 'Send the bytes to store as application/octet-stream');
    }
    const cid = await this.ipfs.add(bytes);
    const sha512 = createHash('sha512').update(bytes).digest();
    const id = randomUUID();
    await this.db.transaction(async (manager) => {
      await manager.insert(BlobEntity, { id, cid, sha512, sizeBytes: bytes.length, createdBy: auth.accountId });
      await this.outbox.enqueue(manager, 'anchor', id, { recordId: anchorId(id), cid, sha512: sha512.toString('hex') });
    });
    if (wait && !(await this.outbox.waitFor('anchor', id, WAIT_MS))) {
      throw new ApiError(HttpStatus.GATEWAY_TIMEOUT, 'ANCHOR_PENDING', `Stored as ${id} but not anchored yet; poll GET /v1/blobs/${id}`);
    }
    return this.get(auth, id);
  }

  async get(auth: AccountPrincipal, id: string): Promise<BlobResponseDto> {
    const blob = await this.find(auth, id);
    return {
      id: blob.id,
      cid: blob.cid,
      sha512: blob.sha512.toString('hex'),
      sizeBytes: blob.sizeBytes,
      anchorStatus: blob.anchorStatus,
      anchorTxHash: blob.anchorTxHash,
      anchoredBlock: blob.anchoredBlock === null ? null : Number(blob.anchoredBlock),
      createdAt: blob.createdAt,
    };
  }

  /** The bytes, only after IPFS content, database digest and on-chain anchor all agree. */
  async content(auth: AccountPrincipal, id: string): Promise<Buffer> {
    const blob = await this.find(auth, id);
    const bytes = Buffer.from(await this.ipfs.get(blob.cid));
    if (!createHash('sha512').update(bytes).digest().equals(blob.sha512)) throw integrityError('recorded digest');
    if (blob.anchorStatus === 'anchored') {
      const anchor = await this.anchors.anchorOf(anchorId(blob.id));
      if (!anchor || !anchor.digest.equals(blob.sha512) || anchor.cid !== blob.cid) throw integrityError('on-chain anchor');
    }
    return bytes;
  }

  /** Object-level check: a caller sees the blobs they stored; administrators see all. */
  private async find(auth: AccountPrincipal, id: string): Promise<BlobEntity> {
    const blob = await this.db.getRepository(BlobEntity).findOneBy({ id });
    if (!blob || (auth.role !== Role.Admin && blob.createdBy !== auth.accountId)) {
      throw new NotFoundError('BLOB_NOT_FOUND', 'No such blob');
    }
    return blob;
  }
}
