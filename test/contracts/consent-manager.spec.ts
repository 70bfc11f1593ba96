import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import { randomBytes } from 'node:crypto';
import { eth } from 'web3';
import type { AbiFunctionFragment } from 'web3';
import type { ChainClient, ChainContract } from '../../gateway/src/chain/chain-client';
import { buildTypedData, Eip712Domain, Eip712Field, signTypedData } from '../../gateway/src/chain/eip712';
import { randomBytes32, randomKey, revertOf, startTestChain, TestChain } from './support/chain';

const HOUR = 3_600;
const DAY = 86_400;
const ZERO_ADDRESS = '0x0000000000000000000000000000000000000000';
const ZERO_ROOT = `0x${'00'.repeat(32)}`;
/** The target for one consent grant, transaction included (a published design costs ~78,000). */
const GRANT_GAS_TARGET = 60_000;

// ABDM HI types (bit index in `categories`) and HL7 PurposeOfUse as ABDM uses them (bit index in `purposes`).
const Category = { OPConsultation: 0, Prescription: 1, DischargeSummary: 2, DiagnosticReport: 3, ImmunizationRecord: 4, HealthDocumentRecord: 5, WellnessRecord: 6 } as const;
const Purpose = { CAREMGT: 0, BTG: 1, PUBHLTH: 2, HPAYMT: 3, DSRCH: 4, PATRQT: 5 } as const;
const bits = (...indexes: number[]): number => indexes.reduce((mask, index) => mask | (1 << index), 0);
const enum Status {
  None = 0,
  Requested = 1,
  Granted = 2,
  Denied = 3,
  Revoked = 4,
  Expired = 5,
}
const DOCTOR = 1;
const PHARMACIST = 2;

const TERMS: Eip712Field[] = [
  { name: 'categories', type: 'uint8' },
  { name: 'purposes', type: 'uint8' },
  { name: 'fromDate', type: 'uint40' },
  { name: 'toDate', type: 'uint40' },
  { name: 'expiry', type: 'uint40' },
];
const NONCE_DEADLINE: Eip712Field[] = [
  { name: 'nonce', type: 'uint256' },
  { name: 'deadline', type: 'uint256' },
];
// The consent manager's EIP-712 types, as the patient SDK and doctors' apps will sign them.
const TYPES = {
  ConsentGrant: [{ name: 'patient', type: 'bytes32' }, { name: 'grantee', type: 'address' }, ...TERMS, { name: 'recordsRoot', type: 'bytes32' }, ...NONCE_DEADLINE],
  ConsentRevocation: [{ name: 'patient', type: 'bytes32' }, { name: 'grantee', type: 'address' }, ...NONCE_DEADLINE],
  ConsentRequest: [{ name: 'patient', type: 'bytes32' }, { name: 'doctor', type: 'address' }, ...TERMS, ...NONCE_DEADLINE],
  ConsentApproval: [{ name: 'requestId', type: 'uint256' }, ...TERMS, { name: 'recordsRoot', type: 'bytes32' }, ...NONCE_DEADLINE],
  ConsentDenial: [{ name: 'requestId', type: 'uint256' }, ...NONCE_DEADLINE],
};
const REGISTRATION: Eip712Field[] = [
  { name: 'handle', type: 'bytes32' },
  { name: 'signer', type: 'address' },
  ...NONCE_DEADLINE,
];

interface Terms {
  categories: number;
  purposes: number;
  fromDate: number;
  toDate: number;
  expiry: number;
  recordsRoot: string;
}

interface Key {
  key: string;
  address: string;
}
const newKey = (): Key => {
  const key = randomKey();
  return { key, address: eth.accounts.privateKeyToAddress(key) };
};
const randomAddress = (): string => eth.accounts.privateKeyToAddress(randomKey());

const FROM_DATE = 1_600_000_000;
const TO_DATE = 1_700_000_000;
const IN_RANGE = 1_650_000_000;

describe('ConsentManager (contract)', () => {
  let chain: TestChain;
  /** The gateway: relays with its own chain account; holds no patient or doctor key. */
  let relayer: ChainClient;
  /** The gateway's own chain key, the one it signs its transactions with. */
  const gatewayKey = newKey();
  let directory: ChainContract;
  /** ConsentManager, which is also the patient registry (PatientRegistry is its abstract base). */
  let sut: ChainContract;
  let domain: Eip712Domain;
  const gas: Record<string, bigint> = {};

  async function rpc<T>(method: string, params: unknown[]): Promise<T> {
    const res = await fetch(chain.anvil.rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
    });
    const body = (await res.json()) as { result: T; error?: { message: string } };
    if (body.error) throw new Error(`${method}: ${body.error.message}`);
    return body.result;
  }
  const chainTime = async (): Promise<number> => Number((await rpc<{ timestamp: string }>('eth_getBlockByNumber', ['latest', false])).timestamp);
  const deadline = async (seconds = HOUR): Promise<bigint> => BigInt((await chainTime()) + seconds);

  const signConsent = (type: keyof typeof TYPES, key: Key, message: Record<string, unknown>): string =>
    signTypedData(key.key, buildTypedData(domain, type, { [type]: TYPES[type] }, message));

  /** Sends, requires success; returns the receipt's gas and decoded events (name and args). */
  async function transact(contract: ChainContract, method: string, args: unknown[]) {
    const { txHash } = await relayer.send(contract, method, args);
    const receipt = await relayer.waitForReceipt(txHash, 10_000);
    expect(receipt.success).toBe(true);
    const raw = await rpc<{ gasUsed: string }>('eth_getTransactionReceipt', [txHash]);
    return {
      gasUsed: BigInt(raw.gasUsed),
      blockNumber: receipt.blockNumber,
      events: relayer.events(contract, receipt).map(({ name, args: decoded }) => ({ name, args: decoded })),
    };
  }
  const view = (method: string, args: unknown[]): Promise<unknown[]> => relayer.call(sut, method, args);
  const pairNonce = async (patient: string, grantee: string): Promise<bigint> => (await view('consentNonces', [patient, grantee]))[0] as bigint;

  /** A registered patient: handle and consent key. */
  async function patient(): Promise<{ handle: string; signer: Key }> {
    const handle = randomBytes32();
    const signer = newKey();
    const until = await deadline();
    const signature = signTypedData(
      signer.key,
      buildTypedData(domain, 'Registration', { Registration: REGISTRATION }, { handle, signer: signer.address, nonce: 0n, deadline: until }),
    );
    await transact(sut, 'register', [handle, signer.address, until, signature]);
    return { handle, signer };
  }

  /** An address the directory counts as an active hospital. */
  async function hospital(): Promise<string> {
    const address = randomAddress();
    await transact(directory, 'setActiveHospital', [address, true]);
    return address;
  }

  /** A doctor's device key the directory counts as an active doctor. */
  async function doctor(): Promise<Key> {
    const key = newKey();
    await transact(directory, 'setPractitioner', [key.address, DOCTOR]);
    return key;
  }

  async function terms(overrides: Partial<Terms> = {}): Promise<Terms> {
    return {
      categories: bits(Category.Prescription, Category.DiagnosticReport),
      purposes: bits(Purpose.CAREMGT),
      fromDate: FROM_DATE,
      toDate: TO_DATE,
      expiry: (await chainTime()) + 30 * DAY,
      recordsRoot: ZERO_ROOT,
      ...overrides,
    };
  }

  /** Arguments of `grant`, signed by `key` (the patient's, unless a test says otherwise). */
  async function grantArgs(handle: string, grantee: string, scope: Terms, key: Key, options: { nonce?: bigint; until?: bigint } = {}) {
    const until = options.until ?? (await deadline());
    const nonce = options.nonce ?? (await pairNonce(handle, grantee));
    const signature = signConsent('ConsentGrant', key, { patient: handle, grantee, ...scope, nonce, deadline: until });
    return [handle, grantee, scope, until, signature];
  }

  async function revokeArgs(handle: string, grantee: string, key: Key, options: { nonce?: bigint; until?: bigint } = {}) {
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
    const fragment = sut.options.jsonInterface.find((item) => item.type === 'function' && (item as AbiFunctionFragment).name === 'mayRead') as AbiFunctionFragment;
    const data = eth.abi.encodeFunctionCall(fragment, [handle, grantee, Category.Prescription, Purpose.CAREMGT, IN_RANGE, randomBytes32(), []]);
    const result = await rpc<string>('eth_call', [{ to: sut.options.address, data }, `0x${blockNumber.toString(16)}`]);
    return eth.abi.decodeParameter('bool', result) as boolean;
  }

  const consentOf = async (handle: string, grantee: string) => {
    const [terms, requestId] = (await view('consentOf', [handle, grantee])) as [Record<string, unknown>, bigint];
    const { categories, purposes, fromDate, toDate, expiry, recordsRoot } = terms;
    return { categories, purposes, fromDate, toDate, expiry, recordsRoot, requestId };
  };
  const asUints = (scope: Terms) => ({
    categories: BigInt(scope.categories),
    purposes: BigInt(scope.purposes),
    fromDate: BigInt(scope.fromDate),
    toDate: BigInt(scope.toDate),
    expiry: BigInt(scope.expiry),
    recordsRoot: scope.recordsRoot,
  });

  /** A patient with a grant in force to a fresh hospital. */
  async function granted(overrides: Partial<Terms> = {}) {
    const { handle, signer } = await patient();
    const grantee = await hospital();
    const scope = await terms(overrides);
    await transact(sut, 'grant', await grantArgs(handle, grantee, scope, signer));
    return { handle, signer, grantee, scope };
  }

  beforeAll(async () => {
    chain = await startTestChain();
    relayer = chain.client(gatewayKey.key);
    const directoryAddress = (await relayer.deploy('ConsortiumDirectoryMock')).address;
    const { address } = await relayer.deploy('ConsentManager', [directoryAddress]);
    directory = relayer.contract('ConsortiumDirectoryMock', directoryAddress);
    sut = relayer.contract('ConsentManager', address);
    domain = { name: 'EHRChain ConsentManager', version: '1', chainId: await relayer.chainId(), verifyingContract: address };
  });

  afterAll(async () => {
    if (process.env.GAS_REPORT) process.stdout.write(`ConsentManager gas: ${JSON.stringify(gas, (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v))}\n`);
    await chain?.stop();
  });

  describe('grant', () => {
    it('stores the patient-signed consent, emits ConsentGranted and lets the grantee read in scope', async () => {
      const { handle, signer } = await patient();
      const grantee = await hospital();
      const scope = await terms();

      const { events, gasUsed } = await transact(sut, 'grant', await grantArgs(handle, grantee, scope, signer));
      gas.grantFirst = gasUsed;

      expect(events).toEqual([{ name: 'ConsentGranted', args: { patient: handle, grantee, ...asUints(scope) } }]);
      expect(await consentOf(handle, grantee)).toEqual({ ...asUints(scope), requestId: 0n });
      expect(await pairNonce(handle, grantee)).toBe(1n);
      expect(await mayRead(handle, grantee)).toBe(true);
      expect(gasUsed).toBeLessThanOrEqual(GRANT_GAS_TARGET);
    });

    it('replaces the consent with a newer grant to the same grantee', async () => {
      const { handle, signer, grantee } = await granted();
      const narrower = await terms({ categories: bits(Category.DiagnosticReport), purposes: bits(Purpose.CAREMGT, Purpose.PUBHLTH) });

      const { gasUsed } = await transact(sut, 'grant', await grantArgs(handle, grantee, narrower, signer));
      gas.grantUpdate = gasUsed;

      expect(await consentOf(handle, grantee)).toEqual({ ...asUints(narrower), requestId: 0n });
      expect(await mayRead(handle, grantee, { category: Category.Prescription })).toBe(false);
      expect(await mayRead(handle, grantee, { category: Category.DiagnosticReport, purpose: Purpose.PUBHLTH })).toBe(true);
      expect(gasUsed).toBeLessThanOrEqual(GRANT_GAS_TARGET);
    });

    it("refuses a grant signed by the gateway's own key: the relayer cannot forge consent", async () => {
      const { handle, signer } = await patient();
      const grantee = await hospital();

      const error = await revertOf(relayer.send(sut, 'grant', await grantArgs(handle, grantee, await terms(), gatewayKey)));

      expect(relayer.address).toBe(gatewayKey.address);
      expect(error.errorName).toBe('ConsentManagerInvalidSigner');
      expect(error.args).toEqual([gatewayKey.address, signer.address]);
      expect(await mayRead(handle, grantee)).toBe(false);
    });

    it('refuses a signed grant whose terms, grantee or patient the relayer changed', async () => {
      const { handle, signer } = await patient();
      const other = await patient();
      const grantee = await hospital();
      const [, , scope, until, signature] = await grantArgs(handle, grantee, await terms(), signer);
      const widened = { ...(scope as Terms), categories: 0x7f };

      const attempts = [
        [handle, grantee, widened, until, signature],
        [handle, await hospital(), scope, until, signature],
        [other.handle, grantee, scope, until, signature],
      ];
      for (const args of attempts) {
        const error = await revertOf(relayer.send(sut, 'grant', args));
        expect(error.errorName).toBe('ConsentManagerInvalidSigner');
      }
      expect(await mayRead(handle, grantee)).toBe(false);
    });

    it('refuses a replayed grant: a revoked consent cannot be brought back with its old signature', async () => {
      const { handle, signer } = await patient();
      const grantee = await hospital();
      const args = await grantArgs(handle, grantee, await terms(), signer);
      await transact(sut, 'grant', args);
      await transact(sut, 'revoke', await revokeArgs(handle, grantee, signer));

      const error = await revertOf(relayer.send(sut, 'grant', args));

      expect(error.errorName).toBe('ConsentManagerInvalidSigner');
      expect(error.args[1]).toBe(signer.address);
      expect(await mayRead(handle, grantee)).toBe(false);
    });

    it("refuses a grant signed with the patient's previous key after a rotation", async () => {
      const { handle, signer } = await patient();
      const grantee = await hospital();
      const stale = await grantArgs(handle, grantee, await terms(), signer);
      const next = newKey();
      const until = await deadline();
      const rotation = { handle, newSigner: next.address, nonce: 1n, deadline: until };
      const rotationType = { Rotation: [{ name: 'handle', type: 'bytes32' }, { name: 'newSigner', type: 'address' }, ...NONCE_DEADLINE] };
      await transact(sut, 'rotateSigner', [
        handle,
        next.address,
        until,
        signTypedData(signer.key, buildTypedData(domain, 'Rotation', rotationType, rotation)),
        signTypedData(next.key, buildTypedData(domain, 'Rotation', rotationType, rotation)),
      ]);

      const error = await revertOf(relayer.send(sut, 'grant', stale));

      expect(error.errorName).toBe('ConsentManagerInvalidSigner');
      expect(error.args).toEqual([signer.address, next.address]);
    });

    it('refuses a truncated signature and the malleable (high-s) twin of a valid one', async () => {
      const { handle, signer } = await patient();
      const grantee = await hospital();
      const [, , scope, until, signature] = await grantArgs(handle, grantee, await terms(), signer);
      const hex = (signature as string).slice(2);
      const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
      const highS = (n - BigInt(`0x${hex.slice(64, 128)}`)).toString(16).padStart(64, '0');
      const flippedV = hex.slice(128) === '1b' ? '1c' : '1b';

      const short = await revertOf(relayer.send(sut, 'grant', [handle, grantee, scope, until, `0x${hex.slice(0, 128)}`]));
      const twin = await revertOf(relayer.send(sut, 'grant', [handle, grantee, scope, until, `0x${hex.slice(0, 64)}${highS}${flippedV}`]));

      expect([short.errorName, short.args]).toEqual(['ECDSAInvalidSignatureLength', [64n]]);
      expect([twin.errorName, twin.args]).toEqual(['ECDSAInvalidSignatureS', [`0x${highS}`]]);
      expect(await mayRead(handle, grantee)).toBe(false);
    });

    it('refuses a grant after its deadline', async () => {
      const { handle, signer } = await patient();
      const grantee = await hospital();
      const until = BigInt((await chainTime()) - 1);

      const error = await revertOf(relayer.send(sut, 'grant', await grantArgs(handle, grantee, await terms(), signer, { until })));

      expect(error.errorName).toBe('ConsentManagerExpiredSignature');
      expect(error.args).toEqual([until]);
    });

    it('refuses a grant for a handle that is not registered', async () => {
      const handle = randomBytes32();
      const grantee = await hospital();

      const error = await revertOf(relayer.send(sut, 'grant', await grantArgs(handle, grantee, await terms(), newKey())));

      expect(error.errorName).toBe('ConsentManagerUnknownPatient');
      expect(error.args).toEqual([handle]);
    });

    it.each([
      ['no category', { categories: 0 }, 'ConsentManagerInvalidCategories', [0n]],
      ['a category bit beyond WellnessRecord', { categories: 0x80 | 1 }, 'ConsentManagerInvalidCategories', [0x81n]],
      ['no purpose', { purposes: 0 }, 'ConsentManagerInvalidPurposes', [0n]],
      ['a purpose bit beyond PATRQT', { purposes: 0x40 }, 'ConsentManagerInvalidPurposes', [0x40n]],
      ['a date range ending before it starts', { fromDate: TO_DATE, toDate: FROM_DATE }, 'ConsentManagerInvalidDateRange', [BigInt(TO_DATE), BigInt(FROM_DATE)]],
      ['an expiry in the past', { expiry: 1_000 }, 'ConsentManagerInvalidExpiry', [1_000n]],
    ])('refuses a grant with %s', async (_case, overrides: Partial<Terms>, errorName, args) => {
      const { handle, signer } = await patient();
      const grantee = await hospital();

      const error = await revertOf(relayer.send(sut, 'grant', await grantArgs(handle, grantee, await terms(overrides), signer)));

      expect(error.errorName).toBe(errorName);
      expect(error.args).toEqual(args);
    });

    it('refuses a grant to the zero address', async () => {
      const { handle, signer } = await patient();

      const error = await revertOf(relayer.send(sut, 'grant', await grantArgs(handle, ZERO_ADDRESS, await terms(), signer)));

      expect(error.errorName).toBe('ConsentManagerInvalidGrantee');
      expect(error.args).toEqual([ZERO_ADDRESS]);
    });
  });

  describe('records root', () => {
    const ids = [randomBytes32(), randomBytes32(), randomBytes32()];
    const tree = StandardMerkleTree.of(
      ids.map((id) => [id]),
      ['bytes32'],
    );

    it('limits the consent to the record ids under the root, proven with StandardMerkleTree proofs', async () => {
      const { handle, signer } = await patient();
      const grantee = await hospital();
      const scope = await terms({ recordsRoot: tree.root });

      const { gasUsed } = await transact(sut, 'grant', await grantArgs(handle, grantee, scope, signer));
      gas.grantWithRoot = gasUsed;

      expect((await consentOf(handle, grantee)).recordsRoot).toBe(tree.root);
      for (const [index, id] of ids.entries()) {
        expect(await mayRead(handle, grantee, { recordId: id, proof: tree.getProof(index) })).toBe(true);
      }
      const outside = randomBytes32();
      expect(await mayRead(handle, grantee, { recordId: outside, proof: tree.getProof(0) })).toBe(false);
      expect(await mayRead(handle, grantee, { recordId: ids[0], proof: tree.getProof(1) })).toBe(false);
      expect(await mayRead(handle, grantee, { recordId: ids[0], proof: [] })).toBe(false);
    });

    it('computes the leaf exactly as StandardMerkleTree does', async () => {
      expect(await view('recordLeaf', [ids[1]])).toEqual([tree.leafHash([ids[1]])]);
    });

    it('drops the record-id restriction when a newer grant has no root', async () => {
      const { handle, signer, grantee } = await granted({ recordsRoot: tree.root });

      await transact(sut, 'grant', await grantArgs(handle, grantee, await terms(), signer));

      expect((await consentOf(handle, grantee)).recordsRoot).toBe(ZERO_ROOT);
      expect(await mayRead(handle, grantee, { recordId: randomBytes32() })).toBe(true);
    });
  });

  describe('mayRead', () => {
    it('refuses a category outside the consent', async () => {
      const { handle, grantee } = await granted();

      expect(await mayRead(handle, grantee, { category: Category.DiagnosticReport })).toBe(true);
      expect(await mayRead(handle, grantee, { category: Category.DischargeSummary })).toBe(false);
      expect(await mayRead(handle, grantee, { category: 7 })).toBe(false);
      expect(await mayRead(handle, grantee, { category: 255 })).toBe(false);
    });

    it('refuses a purpose the consent does not allow', async () => {
      const { handle, grantee } = await granted();

      expect(await mayRead(handle, grantee, { purpose: Purpose.DSRCH })).toBe(false);
      expect(await mayRead(handle, grantee, { purpose: 6 })).toBe(false);
    });

    it('covers records dated within [fromDate, toDate] only', async () => {
      const { handle, grantee } = await granted();

      expect(await mayRead(handle, grantee, { recordDate: FROM_DATE })).toBe(true);
      expect(await mayRead(handle, grantee, { recordDate: TO_DATE })).toBe(true);
      expect(await mayRead(handle, grantee, { recordDate: FROM_DATE - 1 })).toBe(false);
      expect(await mayRead(handle, grantee, { recordDate: TO_DATE + 1 })).toBe(false);
    });

    it('refuses once the consent has expired', async () => {
      const expiry = (await chainTime()) + 2 * HOUR;
      const { handle, grantee } = await granted({ expiry });
      expect(await mayRead(handle, grantee)).toBe(true);

      await chain.increaseTime(2 * HOUR);

      expect(await chainTime()).toBeGreaterThanOrEqual(expiry);
      expect(await mayRead(handle, grantee)).toBe(false);
    });

    it('refuses a grantee the directory no longer counts as an active member, and allows it again when it is', async () => {
      const { handle, grantee } = await granted();

      await transact(directory, 'setActiveHospital', [grantee, false]);
      const whileSuspended = await mayRead(handle, grantee);
      await transact(directory, 'setActiveHospital', [grantee, true]);

      expect(whileSuspended).toBe(false);
      expect(await mayRead(handle, grantee)).toBe(true);
    });

    it('refuses anyone without a consent', async () => {
      const { handle } = await granted();

      expect(await mayRead(handle, await hospital())).toBe(false);
    });
  });

  describe('revoke', () => {
    it('ends the consent from the block after the revocation and emits ConsentRevoked', async () => {
      const { handle, signer, grantee } = await granted();
      const before = await relayer.blockNumber();

      const { events, blockNumber, gasUsed } = await transact(sut, 'revoke', await revokeArgs(handle, grantee, signer));
      gas.revoke = gasUsed;
      await chain.increaseTime(1);

      expect(events).toEqual([{ name: 'ConsentRevoked', args: { patient: handle, grantee } }]);
      expect(await mayReadAt(before, handle, grantee)).toBe(true);
      expect(await mayReadAt(blockNumber, handle, grantee)).toBe(false);
      expect(await relayer.blockNumber()).toBeGreaterThan(blockNumber);
      expect(await mayRead(handle, grantee)).toBe(false);
      expect(await consentOf(handle, grantee)).toEqual({ categories: 0n, purposes: 0n, fromDate: 0n, toDate: 0n, expiry: 0n, recordsRoot: ZERO_ROOT, requestId: 0n });
      expect(await pairNonce(handle, grantee)).toBe(2n);
    });

    it("refuses a revocation signed by the gateway's key", async () => {
      const { handle, signer, grantee } = await granted();

      const error = await revertOf(relayer.send(sut, 'revoke', await revokeArgs(handle, grantee, newKey())));

      expect(error.errorName).toBe('ConsentManagerInvalidSigner');
      expect(error.args[1]).toBe(signer.address);
      expect(await mayRead(handle, grantee)).toBe(true);
    });

    it('refuses a replayed revocation after the consent was granted again', async () => {
      const { handle, signer, grantee } = await granted();
      const first = await revokeArgs(handle, grantee, signer);
      await transact(sut, 'revoke', first);
      await transact(sut, 'grant', await grantArgs(handle, grantee, await terms(), signer));

      const error = await revertOf(relayer.send(sut, 'revoke', first));

      expect(error.errorName).toBe('ConsentManagerInvalidSigner');
      expect(await mayRead(handle, grantee)).toBe(true);
    });

    it('refuses to revoke a consent that was never granted or is already revoked', async () => {
      const { handle, signer, grantee } = await granted();
      await transact(sut, 'revoke', await revokeArgs(handle, grantee, signer));
      const stranger = await hospital();

      const again = await revertOf(relayer.send(sut, 'revoke', await revokeArgs(handle, grantee, signer)));
      const never = await revertOf(relayer.send(sut, 'revoke', await revokeArgs(handle, stranger, signer)));

      expect([again.errorName, again.args]).toEqual(['ConsentManagerNotGranted', [handle, grantee]]);
      expect([never.errorName, never.args]).toEqual(['ConsentManagerNotGranted', [handle, stranger]]);
    });

    it('refuses a revocation after its deadline', async () => {
      const { handle, signer, grantee } = await granted();
      const until = BigInt((await chainTime()) - 1);

      const error = await revertOf(relayer.send(sut, 'revoke', await revokeArgs(handle, grantee, signer, { until })));

      expect(error.errorName).toBe('ConsentManagerExpiredSignature');
      expect(error.args).toEqual([until]);
    });
  });

  describe('consent requests', () => {
    async function requestArgs(handle: string, from: Key, scope: Terms, options: { signer?: Key; until?: bigint } = {}) {
      const until = options.until ?? (await deadline());
      const nonce = (await view('nonces', [from.address]))[0] as bigint;
      const { categories, purposes, fromDate, toDate, expiry } = scope;
      const message = { patient: handle, doctor: from.address, categories, purposes, fromDate, toDate, expiry, nonce, deadline: until };
      return [handle, from.address, categories, purposes, fromDate, toDate, expiry, until, signConsent('ConsentRequest', options.signer ?? from, message)];
    }

    async function request(handle: string, from: Key, overrides: Partial<Terms> = {}): Promise<bigint> {
      const { events } = await transact(sut, 'requestConsent', await requestArgs(handle, from, await terms(overrides)));
      return events[0].args.requestId as bigint;
    }

    async function approvalArgs(requestId: bigint, handle: string, doctorAddress: string, scope: Terms, key: Key, options: { until?: bigint } = {}) {
      const until = options.until ?? (await deadline());
      const nonce = await pairNonce(handle, doctorAddress);
      return [requestId, scope, until, signConsent('ConsentApproval', key, { requestId, ...scope, nonce, deadline: until })];
    }

    async function denialArgs(requestId: bigint, handle: string, doctorAddress: string, key: Key, options: { until?: bigint } = {}) {
      const until = options.until ?? (await deadline());
      const nonce = await pairNonce(handle, doctorAddress);
      return [requestId, until, signConsent('ConsentDenial', key, { requestId, nonce, deadline: until })];
    }

    const status = async (requestId: bigint): Promise<bigint> => (await view('requestStatus', [requestId]))[0] as bigint;

    describe('requestConsent', () => {
      it("files an active doctor's signed request as REQUESTED and emits ConsentRequested", async () => {
        const { handle } = await patient();
        const dr = await doctor();
        const scope = await terms();

        const { events, gasUsed } = await transact(sut, 'requestConsent', await requestArgs(handle, dr, scope));
        gas.requestConsent = gasUsed;

        const requestId = events[0].args.requestId as bigint;
        const { recordsRoot: _none, ...requested } = asUints(scope);
        expect(events).toEqual([{ name: 'ConsentRequested', args: { requestId, patient: handle, doctor: dr.address, ...requested } }]);
        expect(requestId).toBeGreaterThan(0n);
        expect(await status(requestId)).toBe(BigInt(Status.Requested));
        expect(await view('requestOf', [requestId])).toEqual([handle, dr.address, BigInt(scope.expiry)]);
        expect(await view('nonces', [dr.address])).toEqual([1n]);
      });

      it('numbers requests one after another', async () => {
        const { handle } = await patient();
        const dr = await doctor();

        const first = await request(handle, dr);
        const { events, gasUsed } = await transact(sut, 'requestConsent', await requestArgs(handle, dr, await terms()));
        gas.requestConsentAgain = gasUsed;

        expect(events[0].args.requestId).toBe(first + 1n);
      });

      it('refuses a request from a pharmacist or a deactivated doctor', async () => {
        const { handle } = await patient();
        const pharmacist = newKey();
        await transact(directory, 'setPractitioner', [pharmacist.address, PHARMACIST]);
        const former = await doctor();
        await transact(directory, 'setPractitioner', [former.address, 0]);

        for (const requester of [pharmacist, former]) {
          const error = await revertOf(relayer.send(sut, 'requestConsent', await requestArgs(handle, requester, await terms())));
          expect([error.errorName, error.args]).toEqual(['ConsentManagerNotDoctor', [requester.address]]);
        }
      });

      it("refuses a request the doctor did not sign (e.g. signed with the gateway's key)", async () => {
        const { handle } = await patient();
        const dr = await doctor();
        const gateway = newKey();

        const error = await revertOf(relayer.send(sut, 'requestConsent', await requestArgs(handle, dr, await terms(), { signer: gateway })));

        expect(error.errorName).toBe('ConsentManagerInvalidSigner');
        expect(error.args).toEqual([gateway.address, dr.address]);
      });

      it('refuses a replayed request: the doctor nonce is used', async () => {
        const { handle } = await patient();
        const dr = await doctor();
        const args = await requestArgs(handle, dr, await terms());
        await transact(sut, 'requestConsent', args);

        const error = await revertOf(relayer.send(sut, 'requestConsent', args));

        expect(error.errorName).toBe('ConsentManagerInvalidSigner');
        expect(error.args[1]).toBe(dr.address);
      });

      it('refuses a request for an unknown patient, after its deadline, or with an invalid scope', async () => {
        const { handle } = await patient();
        const dr = await doctor();
        const unknown = randomBytes32();
        const past = BigInt((await chainTime()) - 1);

        const missing = await revertOf(relayer.send(sut, 'requestConsent', await requestArgs(unknown, dr, await terms())));
        const late = await revertOf(relayer.send(sut, 'requestConsent', await requestArgs(handle, dr, await terms(), { until: past })));
        const empty = await revertOf(relayer.send(sut, 'requestConsent', await requestArgs(handle, dr, await terms({ categories: 0 }))));

        expect([missing.errorName, missing.args]).toEqual(['ConsentManagerUnknownPatient', [unknown]]);
        expect([late.errorName, late.args]).toEqual(['ConsentManagerExpiredSignature', [past]]);
        expect([empty.errorName, empty.args]).toEqual(['ConsentManagerInvalidCategories', [0n]]);
      });
    });

    describe('grantRequest', () => {
      it('grants the doctor the terms the patient signed, marks the request GRANTED and emits both events', async () => {
        const { handle, signer } = await patient();
        const dr = await doctor();
        const requestId = await request(handle, dr);
        const scope = await terms({ categories: bits(Category.Prescription) });

        const { events, gasUsed } = await transact(sut, 'grantRequest', await approvalArgs(requestId, handle, dr.address, scope, signer));
        gas.grantRequest = gasUsed;

        expect(events).toEqual([
          { name: 'ConsentGranted', args: { patient: handle, grantee: dr.address, ...asUints(scope) } },
          { name: 'ConsentRequestGranted', args: { requestId, patient: handle, doctor: dr.address } },
        ]);
        expect(await status(requestId)).toBe(BigInt(Status.Granted));
        expect(await consentOf(handle, dr.address)).toEqual({ ...asUints(scope), requestId });
        expect(await mayRead(handle, dr.address)).toBe(true);
      });

      it("refuses an approval not signed by the patient (e.g. by the gateway's key)", async () => {
        const { handle, signer } = await patient();
        const dr = await doctor();
        const requestId = await request(handle, dr);

        const error = await revertOf(relayer.send(sut, 'grantRequest', await approvalArgs(requestId, handle, dr.address, await terms(), newKey())));

        expect(error.errorName).toBe('ConsentManagerInvalidSigner');
        expect(error.args[1]).toBe(signer.address);
        expect(await status(requestId)).toBe(BigInt(Status.Requested));
      });

      it('refuses an approval after its deadline', async () => {
        const { handle, signer } = await patient();
        const dr = await doctor();
        const requestId = await request(handle, dr);
        const until = BigInt((await chainTime()) - 1);

        const error = await revertOf(relayer.send(sut, 'grantRequest', await approvalArgs(requestId, handle, dr.address, await terms(), signer, { until })));

        expect([error.errorName, error.args]).toEqual(['ConsentManagerExpiredSignature', [until]]);
      });

      it('refuses to approve a request twice, an unknown request, or one that expired unanswered', async () => {
        const { handle, signer } = await patient();
        const dr = await doctor();
        const answered = await request(handle, dr);
        await transact(sut, 'grantRequest', await approvalArgs(answered, handle, dr.address, await terms(), signer));
        const stale = await request(handle, dr, { expiry: (await chainTime()) + HOUR });
        await chain.increaseTime(HOUR);

        const twice = await revertOf(relayer.send(sut, 'grantRequest', await approvalArgs(answered, handle, dr.address, await terms(), signer)));
        const unknown = await revertOf(relayer.send(sut, 'grantRequest', await approvalArgs(10_000n, handle, dr.address, await terms(), signer)));
        const expired = await revertOf(relayer.send(sut, 'grantRequest', await approvalArgs(stale, handle, dr.address, await terms(), signer)));

        expect([twice.errorName, twice.args]).toEqual(['ConsentManagerRequestNotPending', [answered, BigInt(Status.Granted)]]);
        expect([unknown.errorName, unknown.args]).toEqual(['ConsentManagerUnknownRequest', [10_000n]]);
        expect([expired.errorName, expired.args]).toEqual(['ConsentManagerRequestNotPending', [stale, BigInt(Status.Expired)]]);
        expect(await status(stale)).toBe(BigInt(Status.Expired));
      });
    });

    describe('denyRequest', () => {
      it('marks the request DENIED, emits ConsentRequestDenied and leaves an existing consent alone', async () => {
        const { handle, signer } = await patient();
        const dr = await doctor();
        await transact(sut, 'grant', await grantArgs(handle, dr.address, await terms(), signer));
        const requestId = await request(handle, dr, { categories: 0x7f });

        const { events } = await transact(sut, 'denyRequest', await denialArgs(requestId, handle, dr.address, signer));

        expect(events).toEqual([{ name: 'ConsentRequestDenied', args: { requestId, patient: handle, doctor: dr.address } }]);
        expect(await status(requestId)).toBe(BigInt(Status.Denied));
        expect(await mayRead(handle, dr.address)).toBe(true);
      });

      it('refuses a denial not signed by the patient, after its deadline, or of an answered request', async () => {
        const { handle, signer } = await patient();
        const dr = await doctor();
        const requestId = await request(handle, dr);
        const past = BigInt((await chainTime()) - 1);

        const forged = await revertOf(relayer.send(sut, 'denyRequest', await denialArgs(requestId, handle, dr.address, newKey())));
        const late = await revertOf(relayer.send(sut, 'denyRequest', await denialArgs(requestId, handle, dr.address, signer, { until: past })));
        const denial = await denialArgs(requestId, handle, dr.address, signer);
        await transact(sut, 'denyRequest', denial);
        const again = await revertOf(relayer.send(sut, 'denyRequest', denial));

        expect(forged.errorName).toBe('ConsentManagerInvalidSigner');
        expect([late.errorName, late.args]).toEqual(['ConsentManagerExpiredSignature', [past]]);
        expect([again.errorName, again.args]).toEqual(['ConsentManagerRequestNotPending', [requestId, BigInt(Status.Denied)]]);
      });
    });

    describe('requestStatus', () => {
      it('reads REVOKED once the consent the request produced is revoked', async () => {
        const { handle, signer } = await patient();
        const dr = await doctor();
        const requestId = await request(handle, dr);
        await transact(sut, 'grantRequest', await approvalArgs(requestId, handle, dr.address, await terms(), signer));

        await transact(sut, 'revoke', await revokeArgs(handle, dr.address, signer));

        expect(await status(requestId)).toBe(BigInt(Status.Revoked));
      });

      it('reads REVOKED once a newer consent to the same doctor replaces it', async () => {
        const { handle, signer } = await patient();
        const dr = await doctor();
        const requestId = await request(handle, dr);
        await transact(sut, 'grantRequest', await approvalArgs(requestId, handle, dr.address, await terms(), signer));

        await transact(sut, 'grant', await grantArgs(handle, dr.address, await terms(), signer));

        expect(await status(requestId)).toBe(BigInt(Status.Revoked));
      });

      it('reads EXPIRED once the granted consent has expired', async () => {
        const { handle, signer } = await patient();
        const dr = await doctor();
        const requestId = await request(handle, dr);
        await transact(sut, 'grantRequest', await approvalArgs(requestId, handle, dr.address, await terms({ expiry: (await chainTime()) + HOUR }), signer));
        const before = await status(requestId);

        await chain.increaseTime(HOUR);

        expect(before).toBe(BigInt(Status.Granted));
        expect(await status(requestId)).toBe(BigInt(Status.Expired));
      });

      it('refuses an id that was never issued', async () => {
        for (const method of ['requestStatus', 'requestOf']) {
          const error = await revertOf(view(method, [0n]));
          expect([error.errorName, error.args]).toEqual(['ConsentManagerUnknownRequest', [0n]]);
        }
      });
    });
  });

  describe('views', () => {
    it('names the directory it consults and publishes its EIP-712 domain', async () => {
      const [, name, version, chainId, verifyingContract] = await view('eip712Domain', []);

      expect(await view('directory', [])).toEqual([directory.options.address]);
      expect({ name, version, chainId, verifyingContract }).toEqual({ ...domain, chainId: BigInt(domain.chainId) });
    });

    it('refuses a grant signed under another domain (another deployment or chain)', async () => {
      const { handle, signer } = await patient();
      const grantee = await hospital();
      const scope = await terms();
      const until = await deadline();
      const elsewhere = { ...domain, verifyingContract: `0x${randomBytes(20).toString('hex')}` };
      const message = { patient: handle, grantee, ...scope, nonce: 0n, deadline: until };
      const signature = signTypedData(signer.key, buildTypedData(elsewhere, 'ConsentGrant', { ConsentGrant: TYPES.ConsentGrant }, message));

      const error = await revertOf(relayer.send(sut, 'grant', [handle, grantee, scope, until, signature]));

      expect(error.errorName).toBe('ConsentManagerInvalidSigner');
    });
  });
});
