import { utils } from 'web3';
import { BYTES32_PATTERN } from '../common/validation';
import { ChainClient } from './chain-client';
import { ChainContract, ChainLog } from './chain-contract';
import type { ConsentTerms } from './patient-messages';

const ZERO_ADDRESS = /^0x0{40}$/;

/** ConsentManager.RequestStatus, by index. */
export const CONSENT_REQUEST_STATUSES = ['none', 'requested', 'granted', 'denied', 'revoked', 'expired'] as const;
export type ConsentRequestStatus = (typeof CONSENT_REQUEST_STATUSES)[number];

/** The consent `grantee` holds from a relationship, as the chain says it now. */
export interface ConsentState {
  /** All zero when none is in force (never granted, revoked, or granted before a recovery). */
  terms: ConsentTerms;
  /** The consent request it answered; 0 for a direct grant. */
  requestId: bigint;
  /** The pair's nonce: how many grants, revocations and answers the patient made about this grantee. */
  nonce: bigint;
}

/** A recovery started by a handle's guardians, waiting for its delay. */
export interface PendingRecovery {
  /** The address that signs for the handle once it completes. */
  newSigner: string;
  /** Its number (the recovery nonce its guardians signed): a veto names it. */
  recovery: number;
  /** Unix seconds when the guardians started it (executableAt less the contract's RECOVERY_DELAY). */
  startedAt: number;
  /** Unix seconds from which anyone can complete it; the patient's veto counts only before. */
  executableAt: number;
  /** False when every guardian signed it: then the key cannot veto it. */
  vetoable: boolean;
}

/** What `mayRead` is asked about one record. */
export interface ReadQuestion {
  category: number;
  purpose: number;
  /** The record's date, unix seconds. */
  recordDate: number;
  /** The record's on-chain id (bytes32). */
  recordId: string;
  /** Its Merkle proof against the consent's records root; empty without one. */
  proof: readonly string[];
}

/**
 * Typed access to the ConsentManager contract (contracts/ConsentManager.sol), which is also the
 * patient registry (it inherits PatientRegistry): patients' signers, and the consents the gateway
 * decides reads by. Every answer is the latest block's: a revocation counts from the block that
 * includes it.
 */
export class ConsentManager {
  static readonly artifactName = 'ConsentManager';
  readonly contract: ChainContract;
  /** RECOVERY_DELAY, a constant of the contract: read once. */
  private recoveryDelay?: Promise<number>;

  constructor(
    private readonly chain: ChainClient,
    readonly address: string,
    /** The block the contract was deployed in: where searches of its events start. */
    readonly deployedAt = 0n,
  ) {
    this.contract = chain.contract(ConsentManager.artifactName, address);
  }

  /** The checksummed address `handle` signs with as of the latest block; null when the handle is not registered. */
  async signerOf(handle: string): Promise<string | null> {
    assertHandle(handle);
    const [signer] = await this.chain.call(this.contract, 'signerOf', [handle]);
    if (typeof signer !== 'string') throw new Error('ConsentManager.signerOf returned an unexpected shape; is the ABI current?');
    return ZERO_ADDRESS.test(signer) ? null : utils.toChecksumAddress(signer);
  }

  /** ConsentGrants.mayRead: the chain's own answer, counting membership, recovery epochs and records roots. */
  async mayRead(handle: string, grantee: string, question: ReadQuestion): Promise<boolean> {
    assertHandle(handle);
    const { category, purpose, recordDate, recordId, proof } = question;
    const [allowed] = await this.chain.call(this.contract, 'mayRead', [handle, grantee, category, purpose, recordDate, recordId, [...proof]]);
    return allowed === true;
  }

  /** The consent in force (or its absence) and the pair's nonce, in two calls made together. */
  async consentOf(handle: string, grantee: string): Promise<ConsentState> {
    assertHandle(handle);
    const [[stored, requestId], [nonce]] = await Promise.all([
      this.chain.call(this.contract, 'consentOf', [handle, grantee]),
      this.chain.call(this.contract, 'consentNonces', [handle, grantee]),
    ]);
    const raw = stored as Record<string, bigint | string>;
    const terms: ConsentTerms = {
      categories: Number(raw.categories), purposes: Number(raw.purposes), fromDate: Number(raw.fromDate), toDate: Number(raw.toDate),
      expiry: Number(raw.expiry), recordsRoot: String(raw.recordsRoot),
    };
    return { terms, requestId: BigInt(requestId as bigint), nonce: BigInt(nonce as bigint) };
  }

  /** The handle's registry nonce: what its next GuardianSet or RecoveryVeto is signed at. */
  async patientNonce(handle: string): Promise<number> {
    assertHandle(handle);
    const [nonce] = await this.chain.call(this.contract, 'patientNonces', [handle]);
    return Number(nonce);
  }

  /** The number the handle's next recovery is signed at (`recoveryNonces`): how many were started. */
  async recoveryNonce(handle: string): Promise<number> {
    assertHandle(handle);
    const [nonce] = await this.chain.call(this.contract, 'recoveryNonces', [handle]);
    return Number(nonce);
  }

  /** The guardians in force for the handle, and how many of them must sign a recovery (0: none). */
  async guardiansOf(handle: string): Promise<{ guardians: string[]; threshold: number }> {
    assertHandle(handle);
    const [guardians, threshold] = await this.chain.call(this.contract, 'guardiansOf', [handle]);
    return { guardians: guardians as string[], threshold: Number(threshold) };
  }

  /**
   * The recovery the handle's guardians started and that waits for its delay (PatientGuardians
   * .pendingRecoveryOf); null when none waits. `recovery` is its number, which a veto names.
   */
  async pendingRecoveryOf(handle: string): Promise<PendingRecovery | null> {
    assertHandle(handle);
    const [newSigner, recovery, executableAt, vetoable] = await this.chain.call(this.contract, 'pendingRecoveryOf', [handle]);
    if (ZERO_ADDRESS.test(String(newSigner))) return null;
    this.recoveryDelay ??= this.chain.call(this.contract, 'RECOVERY_DELAY', []).then(([delay]) => Number(delay));
    const delay = await this.recoveryDelay.catch((error: unknown) => {
      this.recoveryDelay = undefined; // a chain that was down is asked again next time
      throw error;
    });
    return {
      newSigner: utils.toChecksumAddress(String(newSigner)), recovery: Number(recovery),
      startedAt: Number(executableAt) - delay, executableAt: Number(executableAt), vetoable: vetoable === true,
    };
  }

  /** The nonce a doctor's next consent request must be signed at (OpenZeppelin Nonces). */
  async doctorNonce(doctor: string): Promise<bigint> {
    const [nonce] = await this.chain.call(this.contract, 'nonces', [doctor]);
    return BigInt(nonce as bigint);
  }

  /** A consent request's status now (expired and revoked derived by the contract). */
  async requestStatus(requestId: bigint): Promise<ConsentRequestStatus> {
    const [status] = await this.chain.call(this.contract, 'requestStatus', [requestId]);
    return CONSENT_REQUEST_STATUSES[Number(status)] ?? 'none';
  }

  /** The id of the ConsentRequested event for `patient` among `logs`. */
  requestIdIn(logs: readonly ChainLog[], patient: string): bigint | null {
    const event = this.contract.events(logs).find((e) => e.name === 'ConsentRequested' && String(e.args.patient).toLowerCase() === patient.toLowerCase());
    return event ? BigInt(event.args.requestId as bigint) : null;
  }

  /** The contract's logs of event `name` whose indexed arguments match `topics` (null: any), oldest first. */
  logsOf(name: string, topics: (string | null)[]): Promise<ChainLog[]> {
    return this.chain.logs({ address: this.address, topics: [this.contract.eventTopic(name), ...topics], fromBlock: this.deployedAt });
  }
}

function assertHandle(handle: string): void {
  if (!BYTES32_PATTERN.test(handle)) throw new Error(`A patient handle is 0x + 64 hex digits, got "${handle}"`);
}
