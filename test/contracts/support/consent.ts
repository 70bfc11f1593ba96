import { eth } from 'web3';
import { Category, CONSENT_MANAGER_TYPES, Purpose } from '../../../gateway/src/chain/typed-messages';
import { Key, newKey, ZERO_BYTES32 } from './accounts';
import { randomBytes32 } from './chain';
import { ConsentManagerTestbed } from './consent-manager';
import { DOCTOR, registerPractitioner } from './consortium';
import { patientHelpers } from './patients';
import { DAY, rpc } from './rpc';

export { Category, Purpose };
export const bits = (...indexes: number[]): number => indexes.reduce((mask, index) => mask | (1 << index), 0);
/** What `requestStatus` answers. */
export const Status = { None: 0, Requested: 1, Granted: 2, Denied: 3, Revoked: 4, Expired: 5 } as const;

/** The default terms cover records dated from FROM_DATE to TO_DATE; IN_RANGE lies between. */
export const FROM_DATE = 1_600_000_000;
export const TO_DATE = 1_700_000_000;
export const IN_RANGE = 1_650_000_000;

// The consent manager's own EIP-712 types, as the patient SDK and doctors' apps sign them.
const { ConsentGrant, ConsentRevocation, ConsentRequest, ConsentApproval, ConsentDenial } = CONSENT_MANAGER_TYPES;
export const CONSENT_TYPES = { ConsentGrant, ConsentRevocation, ConsentRequest, ConsentApproval, ConsentDenial };
export type ConsentMessage = keyof typeof CONSENT_TYPES;

export interface Terms {
  categories: number;
  purposes: number;
  fromDate: number;
  toDate: number;
  expiry: number;
  recordsRoot: string;
}

/** The terms as the contract returns them (uints as bigint). */
export const asUints = (scope: Terms) => ({
  categories: BigInt(scope.categories),
  purposes: BigInt(scope.purposes),
  fromDate: BigInt(scope.fromDate),
  toDate: BigInt(scope.toDate),
  expiry: BigInt(scope.expiry),
  recordsRoot: scope.recordsRoot,
});

type SignOptions = { nonce?: bigint; until?: bigint };

/** Consents in the testbed's ConsentManager: patients, grantees, and the messages they sign. */
export function consentHelpers(bed: ConsentManagerTestbed) {
  const { transact, view, deadline, chainTime } = bed;
  const signConsent = (type: ConsentMessage, key: Key, message: Record<string, unknown>): string => bed.sign(type, CONSENT_TYPES[type], key, message);
  const pairNonce = async (patient: string, grantee: string): Promise<bigint> => (await view('consentNonces', [patient, grantee]))[0] as bigint;

  /** An address the directory counts as an active hospital (admitted by 2 of 3 on the registry). */
  async function hospital(): Promise<string> {
    if (bed.consortium) return (await bed.consortium.admittedHospital()).address;
    const { address } = newKey();
    await transact(bed.directory, 'setActiveHospital', [address, true]);
    return address;
  }

  /** A doctor's device key the directory counts as an active doctor, of a new active hospital. */
  async function doctor(): Promise<Key> {
    const key = newKey();
    if (bed.consortium) {
      await registerPractitioner(await bed.consortium.admittedHospital(), bed.consortium.registry, key.address);
    } else {
      await transact(bed.directory, 'setPractitioner', [key.address, await hospital(), DOCTOR]);
    }
    return key;
  }

  /** Prescriptions and diagnostic reports, for care management, dated FROM_DATE..TO_DATE, for 30 days; with `overrides`. */
  async function terms(overrides: Partial<Terms> = {}): Promise<Terms> {
    return {
      categories: bits(Category.Prescription, Category.DiagnosticReport),
      purposes: bits(Purpose.CAREMGT),
      fromDate: FROM_DATE,
      toDate: TO_DATE,
      expiry: (await chainTime()) + 30 * DAY,
      recordsRoot: ZERO_BYTES32,
      ...overrides,
    };
  }

  /** Arguments of `grant`, signed by `key` (the patient's, unless a test says otherwise). */
  async function grantArgs(handle: string, grantee: string, scope: Terms, key: Key, options: SignOptions = {}) {
    const until = options.until ?? (await deadline());
    const nonce = options.nonce ?? (await pairNonce(handle, grantee));
    const signature = signConsent('ConsentGrant', key, { patient: handle, grantee, ...scope, nonce, deadline: until });
    return [handle, grantee, scope, until, signature];
  }

  async function revokeArgs(handle: string, grantee: string, key: Key, options: SignOptions = {}) {
    const until = options.until ?? (await deadline());
    const nonce = options.nonce ?? (await pairNonce(handle, grantee));
    return [handle, grantee, until, signConsent('ConsentRevocation', key, { patient: handle, grantee, nonce, deadline: until })];
  }

  /** mayRead for a record in scope of the default terms, with `overrides`. */
  async function mayRead(handle: string, grantee: string, overrides: { category?: number; purpose?: number; recordDate?: number; recordId?: string; proof?: string[] } = {}) {
    const { category = Category.Prescription, purpose = Purpose.CAREMGT, recordDate = IN_RANGE, recordId = randomBytes32(), proof = [] } = overrides;
    return (await view('mayRead', [handle, grantee, category, purpose, recordDate, recordId, proof]))[0] as boolean;
  }

  /** mayRead as of an earlier block (eth_call with a block number). */
  async function mayReadAt(blockNumber: bigint, handle: string, grantee: string): Promise<boolean> {
    const { sut } = bed;
    const data = sut.encodeCall('mayRead', [handle, grantee, Category.Prescription, Purpose.CAREMGT, IN_RANGE, randomBytes32(), []]);
    const result = await rpc<string>(bed.chain, 'eth_call', [{ to: sut.address, data }, `0x${blockNumber.toString(16)}`]);
    return eth.abi.decodeParameter('bool', result) as boolean;
  }

  const consentOf = async (handle: string, grantee: string) => {
    const [stored, requestId] = (await view('consentOf', [handle, grantee])) as [Record<string, unknown>, bigint];
    const { categories, purposes, fromDate, toDate, expiry, recordsRoot } = stored;
    return { categories, purposes, fromDate, toDate, expiry, recordsRoot, requestId };
  };

  const patient = patientHelpers(bed).registered;

  /** A patient with a grant in force to a fresh hospital. */
  async function granted(overrides: Partial<Terms> = {}) {
    const { handle, signer } = await patient();
    const grantee = await hospital();
    const scope = await terms(overrides);
    await transact(bed.sut, 'grant', await grantArgs(handle, grantee, scope, signer));
    return { handle, signer, grantee, scope };
  }

  return { signConsent, pairNonce, patient, hospital, doctor, terms, grantArgs, revokeArgs, mayRead, mayReadAt, consentOf, granted };
}

/** Doctors' consent requests and the patient's answers to them. */
export function consentRequestHelpers(bed: ConsentManagerTestbed) {
  const { transact, view, deadline } = bed;
  const { signConsent, pairNonce, terms } = consentHelpers(bed);

  /** Arguments of `requestConsent` by `from`, signed by them unless `options.signer` is given. */
  async function requestArgs(handle: string, from: Key, scope: Terms, options: { signer?: Key; until?: bigint } = {}) {
    const until = options.until ?? (await deadline());
    const nonce = (await view('nonces', [from.address]))[0] as bigint;
    const { categories, purposes, fromDate, toDate, expiry } = scope;
    const message = { patient: handle, doctor: from.address, categories, purposes, fromDate, toDate, expiry, nonce, deadline: until };
    return [handle, from.address, categories, purposes, fromDate, toDate, expiry, until, signConsent('ConsentRequest', options.signer ?? from, message)];
  }

  /** Files a request by `from` for the default terms with `overrides`; its id. */
  async function request(handle: string, from: Key, overrides: Partial<Terms> = {}): Promise<bigint> {
    const { events } = await transact(bed.sut, 'requestConsent', await requestArgs(handle, from, await terms(overrides)));
    return events[0].args.requestId as bigint;
  }

  async function approvalArgs(requestId: bigint, handle: string, doctorAddress: string, scope: Terms, key: Key, options: { until?: bigint } = {}) {
    const until = options.until ?? (await deadline());
    const nonce = await pairNonce(handle, doctorAddress);
    return [requestId, scope, until, signConsent('ConsentApproval', key, { requestId, patient: handle, doctor: doctorAddress, ...scope, nonce, deadline: until })];
  }

  async function denialArgs(requestId: bigint, handle: string, doctorAddress: string, key: Key, options: { until?: bigint } = {}) {
    const until = options.until ?? (await deadline());
    const nonce = await pairNonce(handle, doctorAddress);
    return [requestId, until, signConsent('ConsentDenial', key, { requestId, patient: handle, doctor: doctorAddress, nonce, deadline: until })];
  }

  const status = async (requestId: bigint): Promise<bigint> => (await view('requestStatus', [requestId]))[0] as bigint;

  return { requestArgs, request, approvalArgs, denialArgs, status };
}
