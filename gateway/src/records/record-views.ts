import { recordIdOnChain, RecordVersion, toContractVersion } from '../chain/record-batch';
import { RecordEntity } from './record.entity';
import { categoryName } from './record-categories';
import { RecordAnchorDto, RecordResponseDto } from './records.dto';

/** A tombstone has no content: no CID. */
export const isTombstone = (row: RecordEntity): boolean => row.cid === null;

/** The version as anchored on chain, rebuilt from the row: what a read proves against the batch root. */
export function chainVersionOf(row: RecordEntity): RecordVersion {
  return {
    recordId: recordIdOnChain(row.recordId), patientHandle: row.patientHandle, cid: row.cid, sha512Digest: row.sha512, category: row.category,
    previousVersion: row.previousHash, tombstone: isTombstone(row), author: row.author,
  };
}

/** The API's view of one version: metadata, anchor and the proof that checks against the chain. */
export function describeRecord(row: RecordEntity): RecordResponseDto {
  const anchor: RecordAnchorDto = {
    status: row.anchorStatus, batchId: row.anchorBatchId, proof: row.anchorProof, txHash: row.anchorTxHash,
    block: row.anchoredBlock === null ? null : Number(row.anchoredBlock), error: row.anchorError,
    version: toContractVersion(chainVersionOf(row)), leaf: row.versionHash,
  };
  return {
    recordId: row.recordId, version: row.version, category: categoryName(row.category), clinicalDate: row.clinicalDate, contentType: row.contentType,
    status: row.status, cid: row.cid, sha512: row.sha512.toString('hex'), sizeBytes: row.sizeBytes, author: row.author, createdAt: row.createdAt, anchor,
  };
}
