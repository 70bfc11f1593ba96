import { utils } from 'web3';
import { ChainClient, SendOptions } from './chain-client';
import { ChainContract, ChainLog } from './chain-contract';

/** HL7 PurposeOfUse codes as ABDM uses them; the value is the on-chain index. */
export enum AccessPurpose {
  CareManagement = 0, // CAREMGT
  BreakTheGlass = 1, // BTG
  PublicHealth = 2, // PUBHLTH
  HealthcarePayment = 3, // HPAYMT
  DiseaseSpecificResearch = 4, // DSRCH
  PatientRequested = 5, // PATRQT
}

/** What authorised the release: a consent or an approved emergency request. */
export enum AccessKind {
  Consent = 0,
  Emergency = 1,
}

/** One release of a record, as contracts/AccessLog.sol logs it. */
export interface AccessEntry {
  recordId: string;
  patientHandle: string;
  /** The consent id or emergency request id that allowed the release: 0x + 64 hex digits. */
  authorizationId: string;
  /** Who received the record. */
  reader: string;
  /** When the gateway released it, unix seconds. */
  accessedAt: number;
  purpose: AccessPurpose;
  kind: AccessKind;
}

/** Bytes per packed entry; AccessLog.ENTRY_BYTES. */
export const ACCESS_ENTRY_BYTES = 123;

const HEX32 = /^0x[0-9a-fA-F]{64}$/;
const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const UINT40_MAX = 2 ** 40 - 1;

/**
 * Packs entries in AccessLog's calldata layout: recordId (32) | patientHandle (32) |
 * authorizationId (32) | reader (20) | accessedAt (uint40, 5) | purpose (1) | kind (1).
 * Validates first, so a bad entry fails here rather than as a reverted batch.
 */
export function encodeAccessEntries(entries: readonly AccessEntry[]): string {
  if (entries.length === 0) throw new Error('An access-log batch needs at least one entry');
  const parts = entries.map((entry, index) => {
    assertValid(entry, index);
    return [
      entry.recordId.slice(2),
      entry.patientHandle.slice(2),
      entry.authorizationId.slice(2),
      entry.reader.slice(2),
      entry.accessedAt.toString(16).padStart(10, '0'),
      entry.purpose.toString(16).padStart(2, '0'),
      entry.kind.toString(16).padStart(2, '0'),
    ].join('');
  });
  return `0x${parts.join('').toLowerCase()}`;
}

/** keccak256 of the packed entries: what AccessLog.batchOf and AccessesLogged report. */
export function accessEntriesHash(entries: readonly AccessEntry[]): string {
  return utils.keccak256(encodeAccessEntries(entries));
}

/**
 * The entry a RecordAccessed log carries. The event is anonymous (AccessLog.sol says why): its
 * four topics are recordId, reader, patientHandle and authorizationId, its data one word,
 * `details = logger << 64 | accessedAt << 16 | purpose << 8 | kind` (see `loggerOf`).
 */
export function decodeRecordAccessed(log: ChainLog): AccessEntry {
  const [recordId, readerTopic, patientHandle, authorizationId] = log.topics;
  if (log.topics.length !== 4 || !RECORD_ACCESSED_DATA.test(log.data)) throw new Error('Not a RecordAccessed log');
  const details = BigInt(log.data);
  return {
    recordId: recordId!,
    patientHandle: patientHandle!,
    authorizationId: authorizationId!,
    reader: utils.toChecksumAddress(`0x${readerTopic!.slice(26)}`),
    accessedAt: Number((details >> 16n) & 0xffffffffffn),
    purpose: Number((details >> 8n) & 0xffn),
    kind: Number(details & 0xffn),
  };
}

const RECORD_ACCESSED_DATA = /^0x[0-9a-fA-F]{64}$/;

/** The account that logged a RecordAccessed log (the top 160 bits of its `details`), checksummed. */
export function loggerOf(log: ChainLog): string {
  if (!RECORD_ACCESSED_DATA.test(log.data)) throw new Error('Not a RecordAccessed log');
  return utils.toChecksumAddress(`0x${(BigInt(log.data) >> 64n).toString(16).padStart(40, '0')}`);
}

/** Typed access to the AccessLog contract (contracts/AccessLog.sol). */
export class AccessLog {
  static readonly artifactName = 'AccessLog';
  readonly contract: ChainContract;
  /** topic0 of the contract's named events, none of which is a RecordAccessed. */
  private readonly signatures: Set<string>;

  constructor(
    private readonly chain: ChainClient,
    readonly address: string,
    /** The block the contract was deployed in: where searches of its logs start. */
    readonly deployedAt = 0n,
  ) {
    this.contract = chain.contract(AccessLog.artifactName, address);
    this.signatures = this.contract.eventTopics();
  }

  /** Sends one batch and returns the transaction hash; resending the same batch is a no-op on chain. */
  async logAccesses(batchId: string, entries: readonly AccessEntry[], options?: SendOptions): Promise<string> {
    if (!HEX32.test(batchId)) throw new Error(`A batch id is 0x + 64 hex digits, got "${batchId}"`);
    const { txHash } = await this.chain.send(this.contract, 'logAccesses', [batchId, encodeAccessEntries(entries)], options);
    return txHash;
  }

  /** The entries hash of the batch `logger` logged under `batchId`, or null when it never did. */
  async batchOf(batchId: string, logger: string = this.chain.address): Promise<string | null> {
    const [logged, entriesHash] = await this.chain.call(this.contract, 'batchOf', [logger, batchId]);
    return logged === true ? String(entriesHash) : null;
  }

  /** Where this gateway's key logged batch `batchId` (its AccessesLogged event), or null. */
  async loggedAt(batchId: string): Promise<{ blockNumber: bigint; txHash: string } | null> {
    const logger = `0x${this.chain.address.slice(2).toLowerCase().padStart(64, '0')}`;
    const [log] = await this.chain.logs({ address: this.address, topics: [this.contract.eventTopic('AccessesLogged'), batchId, logger], fromBlock: this.deployedAt });
    return log ? { blockNumber: log.blockNumber!, txHash: log.transactionHash! } : null;
  }

  /**
   * The RecordAccessed entries `loggers` wrote among `logs` (a receipt's, or eth_getLogs'), in
   * log order: by default this gateway's own (its current key). Anonymous, they are this
   * contract's logs with four topics, one word of data and a first topic that is no event
   * signature of its ABI; entries any other LOGGER_ROLE holder wrote are left out.
   */
  entriesIn(logs: readonly ChainLog[], loggers: readonly string[] = [this.chain.address]): AccessEntry[] {
    const address = this.address.toLowerCase();
    const trusted = new Set(loggers.map((logger) => logger.toLowerCase()));
    return logs
      .filter((log) => log.address.toLowerCase() === address && log.topics.length === 4 && RECORD_ACCESSED_DATA.test(log.data) && !this.signatures.has(log.topics[0]!.toLowerCase()))
      .filter((log) => trusted.has(loggerOf(log).toLowerCase()))
      .map(decodeRecordAccessed);
  }

}

function assertValid(entry: AccessEntry, index: number): void {
  const { recordId, patientHandle, authorizationId, reader, accessedAt, purpose, kind } = entry;
  const where = `Access entry ${index}`;
  if (!HEX32.test(recordId)) throw new Error(`${where}: a record id is 0x + 64 hex digits`);
  if (!HEX32.test(patientHandle)) throw new Error(`${where}: a patient handle is 0x + 64 hex digits`);
  if (!HEX32.test(authorizationId)) throw new Error(`${where}: an authorization id is 0x + 64 hex digits`);
  if (!ADDRESS.test(reader) || /^0x0{40}$/.test(reader)) throw new Error(`${where}: the reader is a non-zero address`);
  if (!Number.isInteger(accessedAt) || accessedAt <= 0 || accessedAt > UINT40_MAX) {
    throw new Error(`${where}: accessedAt is unix seconds (uint40), got ${accessedAt}`);
  }
  if (AccessPurpose[purpose] === undefined) throw new Error(`${where}: unknown purpose ${purpose}`);
  if (AccessKind[kind] === undefined) throw new Error(`${where}: unknown kind ${kind}`);
}
