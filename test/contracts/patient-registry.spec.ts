import { eth, utils } from 'web3';
import type { ChainClient, ChainContract } from '../../gateway/src/chain/chain-client';
import { buildTypedData, Eip712Domain, signTypedData } from '../../gateway/src/chain/eip712';
import { randomBytes32, randomKey, revertOf, startTestChain, TestChain } from './support/chain';

const HOUR = 3_600;
const ZERO_ADDRESS = '0x0000000000000000000000000000000000000000';

// The registry's EIP-712 types, as the patient SDK will sign them.
const TYPES = {
  Registration: [
    { name: 'handle', type: 'bytes32' },
    { name: 'signer', type: 'address' },
    { name: 'nonce', type: 'uint256' },
    { name: 'deadline', type: 'uint256' },
  ],
  Rotation: [
    { name: 'handle', type: 'bytes32' },
    { name: 'newSigner', type: 'address' },
    { name: 'nonce', type: 'uint256' },
    { name: 'deadline', type: 'uint256' },
  ],
  GuardianSet: [
    { name: 'handle', type: 'bytes32' },
    { name: 'guardians', type: 'address[]' },
    { name: 'threshold', type: 'uint8' },
    { name: 'nonce', type: 'uint256' },
    { name: 'deadline', type: 'uint256' },
  ],
  Recovery: [
    { name: 'handle', type: 'bytes32' },
    { name: 'newSigner', type: 'address' },
    { name: 'nonce', type: 'uint256' },
    { name: 'deadline', type: 'uint256' },
  ],
} as const;
type MessageType = keyof typeof TYPES;

/** A key held on a device: the patient's consent key, a guardian's key. */
interface Key {
  key: string;
  address: string;
}
const newKey = (): Key => {
  const key = randomKey();
  return { key, address: eth.accounts.privateKeyToAddress(key) };
};

// PatientRegistry is abstract: the deployed contract that carries it is ConsentManager.
describe('PatientRegistry (contract, as deployed in ConsentManager)', () => {
  let chain: TestChain;
  /** The gateway: relays messages with its own chain account and holds no patient key. */
  let relayer: ChainClient;
  /** The gateway's own chain key, the one it signs its transactions with. */
  const gatewayKey = newKey();
  let sut: ChainContract;
  let domain: Eip712Domain;

  const sign = (type: MessageType, key: Key, message: Record<string, unknown>): string =>
    signTypedData(key.key, buildTypedData(domain, type, { [type]: TYPES[type] }, message));

  async function chainTime(): Promise<bigint> {
    const res = await fetch(chain.anvil.rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_getBlockByNumber', params: ['latest', false] }),
    });
    return BigInt(((await res.json()) as { result: { timestamp: string } }).result.timestamp);
  }
  const deadline = async (seconds = HOUR): Promise<bigint> => (await chainTime()) + BigInt(seconds);

  const gas: Record<string, number> = {};

  /** Relays, requires success, and returns the decoded events (name and args). */
  async function relay(method: string, args: unknown[]) {
    const { txHash } = await relayer.send(sut, method, args);
    const receipt = await relayer.waitForReceipt(txHash, 10_000);
    expect(receipt.success).toBe(true);
    if (process.env.GAS_REPORT && !(method in gas)) gas[method] = await gasUsed(txHash);
    return relayer.events(sut, receipt).map(({ name, args: decoded }) => ({ name, args: decoded }));
  }

  async function gasUsed(txHash: string): Promise<number> {
    const res = await fetch(chain.anvil.rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_getTransactionReceipt', params: [txHash] }),
    });
    return Number(((await res.json()) as { result: { gasUsed: string } }).result.gasUsed);
  }

  const view = async (method: string, args: unknown[]): Promise<unknown[]> => relayer.call(sut, method, args);
  const nonceOf = async (handle: string): Promise<bigint> => (await view('patientNonces', [handle]))[0] as bigint;
  const signerOf = async (handle: string): Promise<string> => (await view('signerOf', [handle]))[0] as string;

  /** A registered handle and its signer's key. */
  async function registered(): Promise<{ handle: string; signer: Key }> {
    const handle = randomBytes32();
    const signer = newKey();
    const until = await deadline();
    const signature = sign('Registration', signer, { handle, signer: signer.address, nonce: 0n, deadline: until });
    await relay('register', [handle, signer.address, until, signature]);
    return { handle, signer };
  }

  async function setGuardians(handle: string, signer: Key, guardians: string[], threshold: number) {
    const until = await deadline();
    const message = { handle, guardians, threshold, nonce: await nonceOf(handle), deadline: until };
    return relay('setGuardians', [handle, guardians, threshold, until, sign('GuardianSet', signer, message)]);
  }

  /** A registered handle with a 2-of-3 guardian set. */
  async function guarded(): Promise<{ handle: string; signer: Key; guardians: Key[] }> {
    const { handle, signer } = await registered();
    const guardians = [newKey(), newKey(), newKey()];
    await setGuardians(handle, signer, guardians.map((g) => g.address), 2);
    return { handle, signer, guardians };
  }

  async function recoverySignatures(handle: string, newSigner: string, until: bigint, guardians: Key[], nonce?: bigint) {
    const message = { handle, newSigner, nonce: nonce ?? (await nonceOf(handle)), deadline: until };
    return guardians.map((guardian) => sign('Recovery', guardian, message));
  }

  beforeAll(async () => {
    chain = await startTestChain();
    relayer = chain.client(gatewayKey.key);
    const directory = await relayer.deploy('ConsortiumDirectoryMock');
    const { address } = await relayer.deploy('ConsentManager', [directory.address]);
    sut = relayer.contract('ConsentManager', address);
    domain = { name: 'EHRChain ConsentManager', version: '1', chainId: await relayer.chainId(), verifyingContract: address };
  });

  afterAll(async () => {
    if (process.env.GAS_REPORT) process.stdout.write(`PatientRegistry gas (first of each): ${JSON.stringify(gas)}\n`);
    await chain?.stop();
  });

  describe('register', () => {
    it('binds a handle to the key that signed the registration and emits HandleRegistered', async () => {
      const handle = randomBytes32();
      const signer = newKey();
      const until = await deadline();
      const signature = sign('Registration', signer, { handle, signer: signer.address, nonce: 0n, deadline: until });

      const events = await relay('register', [handle, signer.address, until, signature]);

      expect(events).toEqual([{ name: 'HandleRegistered', args: { handle, signer: signer.address } }]);
      expect(await signerOf(handle)).toBe(signer.address);
      expect(await nonceOf(handle)).toBe(1n);
    });

    it('rejects a registration not signed by the key it binds (the relayer cannot bind a key it lacks)', async () => {
      const handle = randomBytes32();
      const victim = newKey();
      const until = await deadline();
      const forged = sign('Registration', gatewayKey, { handle, signer: victim.address, nonce: 0n, deadline: until });

      const error = await revertOf(relayer.send(sut, 'register', [handle, victim.address, until, forged]));

      expect(error.errorName).toBe('PatientRegistryInvalidSigner');
      expect(error.args).toEqual([gatewayKey.address, victim.address]);
      expect(await signerOf(handle)).toBe(ZERO_ADDRESS);
    });

    it('registers a handle only once', async () => {
      const { handle, signer } = await registered();
      const squatter = newKey();
      const until = await deadline();
      const signature = sign('Registration', squatter, { handle, signer: squatter.address, nonce: 1n, deadline: until });

      const error = await revertOf(relayer.send(sut, 'register', [handle, squatter.address, until, signature]));

      expect(error.errorName).toBe('PatientRegistryAlreadyRegistered');
      expect(error.args).toEqual([handle]);
      expect(await signerOf(handle)).toBe(signer.address);
    });

    it('rejects a registration after its deadline', async () => {
      const handle = randomBytes32();
      const signer = newKey();
      const until = (await chainTime()) - 1n;
      const signature = sign('Registration', signer, { handle, signer: signer.address, nonce: 0n, deadline: until });

      const error = await revertOf(relayer.send(sut, 'register', [handle, signer.address, until, signature]));

      expect(error.errorName).toBe('PatientRegistryExpiredSignature');
      expect(error.args).toEqual([until]);
    });

    it('rejects the zero handle', async () => {
      const handle = `0x${'00'.repeat(32)}`;
      const signer = newKey();
      const until = await deadline();
      const signature = sign('Registration', signer, { handle, signer: signer.address, nonce: 0n, deadline: until });

      const error = await revertOf(relayer.send(sut, 'register', [handle, signer.address, until, signature]));

      expect(error.errorName).toBe('PatientRegistryInvalidHandle');
      expect(error.args).toEqual([handle]);
    });
  });

  describe('rotateSigner', () => {
    async function rotation(handle: string, current: Key, next: Key, options: { nonce?: bigint; until?: bigint } = {}) {
      const until = options.until ?? (await deadline());
      const message = { handle, newSigner: next.address, nonce: options.nonce ?? (await nonceOf(handle)), deadline: until };
      return [handle, next.address, until, sign('Rotation', current, message), sign('Rotation', next, message)];
    }

    it('moves the handle to a new key when the current and the new key both sign, and emits SignerRotated', async () => {
      const { handle, signer } = await registered();
      const next = newKey();

      const events = await relay('rotateSigner', await rotation(handle, signer, next));

      expect(events).toEqual([{ name: 'SignerRotated', args: { handle, previousSigner: signer.address, newSigner: next.address } }]);
      expect(await signerOf(handle)).toBe(next.address);
      expect(await nonceOf(handle)).toBe(2n);
    });

    it('rejects a rotation the current key did not sign', async () => {
      const { handle, signer } = await registered();
      const next = newKey();
      const args = await rotation(handle, next, next); // "current" signature by the new key itself

      const error = await revertOf(relayer.send(sut, 'rotateSigner', args));

      expect(error.errorName).toBe('PatientRegistryInvalidSigner');
      expect(error.args).toEqual([next.address, signer.address]);
      expect(await signerOf(handle)).toBe(signer.address);
    });

    it('rejects a rotation to a key that did not sign it', async () => {
      const { handle, signer } = await registered();
      const next = newKey();
      const [, , until, currentSignature] = await rotation(handle, signer, next);
      const other = (await rotation(handle, signer, newKey(), { until: until as bigint }))[4];

      const error = await revertOf(relayer.send(sut, 'rotateSigner', [handle, next.address, until, currentSignature, other]));

      expect(error.errorName).toBe('PatientRegistryInvalidSigner');
      expect(error.args[1]).toBe(next.address);
      expect(await signerOf(handle)).toBe(signer.address);
    });

    it('refuses a replayed rotation: its nonce is used', async () => {
      const { handle, signer } = await registered();
      const next = newKey();
      const first = await rotation(handle, signer, next);
      await relay('rotateSigner', first);
      await relay('rotateSigner', await rotation(handle, next, signer)); // back to the first key

      const error = await revertOf(relayer.send(sut, 'rotateSigner', first));

      expect(error.errorName).toBe('PatientRegistryInvalidSigner');
      expect(error.args[1]).toBe(signer.address);
      expect(await signerOf(handle)).toBe(signer.address);
    });

    it('rejects a rotation after its deadline', async () => {
      const { handle, signer } = await registered();
      const until = (await chainTime()) - 1n;

      const error = await revertOf(relayer.send(sut, 'rotateSigner', await rotation(handle, signer, newKey(), { until })));

      expect(error.errorName).toBe('PatientRegistryExpiredSignature');
      expect(error.args).toEqual([until]);
    });

    it('rejects a rotation of an unknown handle', async () => {
      const handle = randomBytes32();
      const key = newKey();

      const error = await revertOf(relayer.send(sut, 'rotateSigner', await rotation(handle, key, newKey(), { nonce: 0n })));

      expect(error.errorName).toBe('PatientRegistryUnknownHandle');
      expect(error.args).toEqual([handle]);
    });
  });

  describe('setGuardians', () => {
    it('records the guardians and threshold the patient signed and emits GuardiansSet', async () => {
      const { handle, signer } = await registered();
      const guardians = [newKey(), newKey(), newKey()].map((g) => g.address);

      const events = await setGuardians(handle, signer, guardians, 2);

      expect(events).toEqual([{ name: 'GuardiansSet', args: { handle, guardians, threshold: 2n } }]);
      expect(await view('guardiansOf', [handle])).toEqual([guardians, 2n]);
    });

    it('replaces a previous set entirely, also with a smaller one', async () => {
      const { handle, signer } = await registered();
      await setGuardians(handle, signer, [newKey(), newKey(), newKey()].map((g) => g.address), 3);
      const replacement = [newKey().address];

      await setGuardians(handle, signer, replacement, 1);

      expect(await view('guardiansOf', [handle])).toEqual([replacement, 1n]);
    });

    it.each([
      ['threshold 0', 3, 0],
      ['threshold above the count', 2, 3],
      ['no guardians', 0, 1],
      ['more than ten guardians', 11, 2],
    ])('rejects %s', async (_case, count, threshold) => {
      const { handle, signer } = await registered();
      const guardians = Array.from({ length: count }, () => newKey().address);

      const error = await revertOf(setGuardians(handle, signer, guardians, threshold));

      expect(error.errorName).toBe('PatientRegistryInvalidGuardianThreshold');
      expect(error.args).toEqual([BigInt(count), BigInt(threshold)]);
    });

    it('accepts exactly ten guardians', async () => {
      const { handle, signer } = await registered();
      const guardians = Array.from({ length: 10 }, () => newKey().address);

      await setGuardians(handle, signer, guardians, 10);

      expect(await view('guardiansOf', [handle])).toEqual([guardians, 10n]);
    });

    it('rejects a guardian named twice', async () => {
      const { handle, signer } = await registered();
      const [a, b] = [newKey().address, newKey().address];

      const error = await revertOf(setGuardians(handle, signer, [a, b, a], 2));

      expect(error.errorName).toBe('PatientRegistryDuplicateGuardian');
      expect(error.args).toEqual([a]);
    });

    it('rejects the zero address as a guardian', async () => {
      const { handle, signer } = await registered();

      const error = await revertOf(setGuardians(handle, signer, [newKey().address, ZERO_ADDRESS], 1));

      expect(error.errorName).toBe('PatientRegistryInvalidGuardian');
      expect(error.args).toEqual([ZERO_ADDRESS]);
    });

    it('rejects guardians not signed by the current signer', async () => {
      const { handle, signer } = await registered();
      const impostor = newKey();

      const error = await revertOf(setGuardians(handle, impostor, [impostor.address], 1));

      expect(error.errorName).toBe('PatientRegistryInvalidSigner');
      expect(error.args).toEqual([impostor.address, signer.address]);
      expect(await view('guardiansOf', [handle])).toEqual([[], 0n]);
    });

    it('refuses a replayed guardian set: its nonce is used', async () => {
      const { handle, signer } = await registered();
      const first = [newKey().address];
      const until = await deadline();
      const replay = [handle, first, 1, until, sign('GuardianSet', signer, { handle, guardians: first, threshold: 1, nonce: 1n, deadline: until })];
      await relay('setGuardians', replay);
      const second = [newKey().address, newKey().address];
      await setGuardians(handle, signer, second, 2);

      const error = await revertOf(relayer.send(sut, 'setGuardians', replay));

      expect(error.errorName).toBe('PatientRegistryInvalidSigner');
      expect(error.args[1]).toBe(signer.address);
      expect(await view('guardiansOf', [handle])).toEqual([second, 2n]);
    });

    it('rejects guardians after the deadline, and for an unknown handle', async () => {
      const { handle, signer } = await registered();
      const guardians = [newKey().address];
      const past = (await chainTime()) - 1n;
      const late = sign('GuardianSet', signer, { handle, guardians, threshold: 1, nonce: 1n, deadline: past });
      const unknown = randomBytes32();
      const until = await deadline();
      const forUnknown = sign('GuardianSet', signer, { handle: unknown, guardians, threshold: 1, nonce: 0n, deadline: until });

      const expired = await revertOf(relayer.send(sut, 'setGuardians', [handle, guardians, 1, past, late]));
      const missing = await revertOf(relayer.send(sut, 'setGuardians', [unknown, guardians, 1, until, forUnknown]));

      expect([expired.errorName, expired.args]).toEqual(['PatientRegistryExpiredSignature', [past]]);
      expect([missing.errorName, missing.args]).toEqual(['PatientRegistryUnknownHandle', [unknown]]);
    });
  });

  describe('recover', () => {
    it('restores the handle to a new key on threshold guardian signatures and emits SignerRecovered', async () => {
      const { handle, signer, guardians } = await guarded();
      const next = newKey();
      const until = await deadline();
      const signatures = await recoverySignatures(handle, next.address, until, [guardians[2], guardians[0]]);

      const events = await relay('recover', [handle, next.address, until, signatures]);

      expect(events).toEqual([{ name: 'SignerRecovered', args: { handle, previousSigner: signer.address, newSigner: next.address } }]);
      expect(await signerOf(handle)).toBe(next.address);
      expect(await view('guardiansOf', [handle])).toEqual([guardians.map((g) => g.address), 2n]);
    });

    it('hands control to the recovered key and takes it from the lost one', async () => {
      const { handle, signer, guardians } = await guarded();
      const next = newKey();
      const until = await deadline();
      await relay('recover', [handle, next.address, until, await recoverySignatures(handle, next.address, until, guardians.slice(0, 2))]);

      const lost = await revertOf(setGuardians(handle, signer, [signer.address], 1));
      await setGuardians(handle, next, [guardians[0].address], 1);

      expect(lost.errorName).toBe('PatientRegistryInvalidSigner');
      expect(await view('guardiansOf', [handle])).toEqual([[guardians[0].address], 1n]);
    });

    it('refuses threshold minus one guardian signatures', async () => {
      const { handle, signer, guardians } = await guarded();
      const next = newKey();
      const until = await deadline();

      const error = await revertOf(
        relayer.send(sut, 'recover', [handle, next.address, until, await recoverySignatures(handle, next.address, until, [guardians[1]])]),
      );

      expect(error.errorName).toBe('PatientRegistryNotEnoughGuardians');
      expect(error.args).toEqual([1n, 2n]);
      expect(await signerOf(handle)).toBe(signer.address);
    });

    it('refuses one guardian signing twice to reach the threshold', async () => {
      const { handle, signer, guardians } = await guarded();
      const next = newKey();
      const until = await deadline();
      const [once] = await recoverySignatures(handle, next.address, until, [guardians[0]]);

      const error = await revertOf(relayer.send(sut, 'recover', [handle, next.address, until, [once, once]]));

      expect(error.errorName).toBe('PatientRegistryDuplicateGuardian');
      expect(error.args).toEqual([guardians[0].address]);
      expect(await signerOf(handle)).toBe(signer.address);
    });

    it("refuses a signature by someone who is not a guardian (here the gateway's own key)", async () => {
      const { handle, signer, guardians } = await guarded();
      const outsider = gatewayKey;
      const until = await deadline();
      const signatures = await recoverySignatures(handle, outsider.address, until, [guardians[0], outsider]);

      const error = await revertOf(relayer.send(sut, 'recover', [handle, outsider.address, until, signatures]));

      expect(error.errorName).toBe('PatientRegistryNotGuardian');
      expect(error.args).toEqual([outsider.address]);
      expect(await signerOf(handle)).toBe(signer.address);
    });

    it('refuses to redirect guardian signatures to another new key', async () => {
      const { handle, signer, guardians } = await guarded();
      const until = await deadline();
      const signatures = await recoverySignatures(handle, newKey().address, until, guardians.slice(0, 2));

      const error = await revertOf(relayer.send(sut, 'recover', [handle, newKey().address, until, signatures]));

      expect(error.errorName).toBe('PatientRegistryNotGuardian');
      expect(await signerOf(handle)).toBe(signer.address);
    });

    it('refuses a replayed recovery: its nonce is used', async () => {
      const { handle, guardians } = await guarded();
      const [first, second] = [newKey(), newKey()];
      const until = await deadline();
      const replay = [handle, first.address, until, await recoverySignatures(handle, first.address, until, guardians.slice(0, 2))];
      await relay('recover', replay);
      await relay('recover', [handle, second.address, until, await recoverySignatures(handle, second.address, until, guardians.slice(1))]);

      const error = await revertOf(relayer.send(sut, 'recover', replay));

      expect(error.errorName).toBe('PatientRegistryNotGuardian');
      expect(await signerOf(handle)).toBe(second.address);
    });

    it('refuses recovery of a handle without guardians, to the zero address, and after the deadline', async () => {
      const bare = await registered();
      const { handle, guardians } = await guarded();
      const next = newKey();
      const until = await deadline();
      const past = (await chainTime()) - 1n;

      const noGuardians = await revertOf(
        relayer.send(sut, 'recover', [bare.handle, next.address, until, await recoverySignatures(bare.handle, next.address, until, guardians)]),
      );
      const toZero = await revertOf(
        relayer.send(sut, 'recover', [handle, ZERO_ADDRESS, until, await recoverySignatures(handle, ZERO_ADDRESS, until, guardians)]),
      );
      const late = await revertOf(
        relayer.send(sut, 'recover', [handle, next.address, past, await recoverySignatures(handle, next.address, past, guardians)]),
      );
      const unknown = randomBytes32();
      const missing = await revertOf(
        relayer.send(sut, 'recover', [unknown, next.address, until, await recoverySignatures(unknown, next.address, until, guardians, 0n)]),
      );

      expect([noGuardians.errorName, noGuardians.args]).toEqual(['PatientRegistryNoGuardians', [bare.handle]]);
      expect([toZero.errorName, toZero.args]).toEqual(['PatientRegistryInvalidNewSigner', [ZERO_ADDRESS]]);
      expect([late.errorName, late.args]).toEqual(['PatientRegistryExpiredSignature', [past]]);
      expect([missing.errorName, missing.args]).toEqual(['PatientRegistryUnknownHandle', [unknown]]);
    });
  });

  describe('views', () => {
    it('answers zero for a handle never registered', async () => {
      const handle = randomBytes32();

      expect(await signerOf(handle)).toBe(ZERO_ADDRESS);
      expect(await view('guardiansOf', [handle])).toEqual([[], 0n]);
      expect(await nonceOf(handle)).toBe(0n);
      expect(await view('MAX_GUARDIANS', [])).toEqual([10n]);
    });

    it('publishes the EIP-712 domain the patient SDK signs under', async () => {
      const [, name, version, chainId, verifyingContract] = await view('eip712Domain', []);
      const typeHash = utils.keccak256(utils.utf8ToHex('EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)'));
      const separator = utils.keccak256(
        eth.abi.encodeParameters(
          ['bytes32', 'bytes32', 'bytes32', 'uint256', 'address'],
          [typeHash, utils.keccak256(utils.utf8ToHex(domain.name)), utils.keccak256(utils.utf8ToHex(domain.version)), domain.chainId, domain.verifyingContract],
        ),
      );

      expect({ name, version, chainId, verifyingContract }).toEqual({
        name: domain.name,
        version: domain.version,
        chainId: BigInt(domain.chainId),
        verifyingContract: domain.verifyingContract,
      });
      expect(await view('DOMAIN_SEPARATOR', [])).toEqual([separator]);
    });
  });
});
