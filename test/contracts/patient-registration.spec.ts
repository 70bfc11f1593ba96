import { eth, utils } from 'web3';
import { HANDLE_TAG, patientHandle } from '../../gateway/src/chain/patient-handle';
import { newKey, ZERO_ADDRESS, ZERO_BYTES32 } from './support/accounts';
import { randomBytes32, revertOf } from './support/chain';
import { consentManagerTestbed } from './support/consent-manager';
import { patientHelpers } from './support/patients';
import { blockTimestamp } from './support/rpc';

// PatientRegistry is abstract: the deployed contract that carries it is ConsentManager.
describe('PatientRegistry registration and rotation (contract, as deployed in ConsentManager)', () => {
  const bed = consentManagerTestbed('PatientRegistry registration and rotation');
  const { transact, view } = bed;
  const { nonceOf, signerOf, registrationArgs, fresh, registered, rotationArgs } = patientHelpers(bed);

  beforeAll(() => bed.start());
  afterAll(() => bed.stop());

  describe('register', () => {
    it('binds a handle to the key that signed the registration and emits HandleRegistered', async () => {
      const { handle, salt, signer } = fresh();

      const { events } = await transact(bed.sut, 'register', await registrationArgs(salt, signer));

      expect(events).toEqual([{ name: 'HandleRegistered', args: { handle, signer: signer.address } }]);
      expect(await signerOf(handle)).toBe(signer.address);
      expect(await nonceOf(handle)).toBe(1n);
    });

    it('derives the handle from the key and the salt as the patient software does (handleOf)', async () => {
      const { handle, salt, signer } = fresh();
      expect(await view('handleOf', [signer.address, salt])).toEqual([handle]);
      expect(await view('HANDLE_TAG', [])).toEqual([HANDLE_TAG]);
    });

    it('rejects a registration not signed by the key it binds (the relayer cannot bind a key it lacks)', async () => {
      const { handle, salt, signer: victim } = fresh();
      const forged = await registrationArgs(salt, victim, { signedBy: bed.gatewayKey });

      const error = await revertOf(bed.relayer.send(bed.sut, 'register', forged));

      expect(error.errorName).toBe('PatientRegistryInvalidSigner');
      expect(error.args).toEqual([bed.gatewayKey.address, victim.address]);
      expect(await signerOf(handle)).toBe(ZERO_ADDRESS);
    });

    it("does not let a squatter who sees the patient's registration first register the handle with their own key", async () => {
      // The attack: the relayer, or a node with the txpool API, sees (handle, salt) in the
      // pending registration and sends its own registration of that handle, signed by its key.
      const { handle, salt, signer } = fresh();
      const pending = await registrationArgs(salt, signer);
      const squatter = newKey();

      const withSalt = await revertOf(bed.relayer.send(bed.sut, 'register', await registrationArgs(salt, squatter, { handle })));
      const anySalt = await revertOf(bed.relayer.send(bed.sut, 'register', await registrationArgs(randomBytes32(), squatter, { handle })));

      expect(withSalt.errorName).toBe('PatientRegistryHandleMismatch');
      expect(withSalt.args).toEqual([handle, patientHandle(squatter.address, salt)]);
      expect(anySalt.errorName).toBe('PatientRegistryHandleMismatch');
      await transact(bed.sut, 'register', pending);
      expect(await signerOf(handle)).toBe(signer.address);
    });

    it('registers a handle only once', async () => {
      const { handle, salt, signer } = fresh();
      await transact(bed.sut, 'register', await registrationArgs(salt, signer));

      const error = await revertOf(bed.relayer.send(bed.sut, 'register', await registrationArgs(salt, signer, { nonce: 1n })));

      expect(error.errorName).toBe('PatientRegistryAlreadyRegistered');
      expect(error.args).toEqual([handle]);
      expect(await signerOf(handle)).toBe(signer.address);
    });

    it('rejects a registration after its deadline', async () => {
      const { salt, signer } = fresh();
      const until = (await blockTimestamp(bed.chain)) - 1n;

      const error = await revertOf(bed.relayer.send(bed.sut, 'register', await registrationArgs(salt, signer, { until })));

      expect(error.errorName).toBe('PatientRegistryExpiredSignature');
      expect(error.args).toEqual([until]);
    });

    it('rejects a registration whose deadline is more than 30 days ahead (MAX_SIGNATURE_LIFETIME)', async () => {
      const { salt, signer } = fresh();
      const now = await blockTimestamp(bed.chain);
      const until = now + 31n * 86_400n;

      const error = await revertOf(bed.relayer.send(bed.sut, 'register', await registrationArgs(salt, signer, { until })));

      expect(error.errorName).toBe('PatientRegistryDeadlineTooFar');
      expect(error.args[0]).toBe(until);
      expect(error.args[1]).toBeGreaterThanOrEqual(now + 30n * 86_400n);
      await transact(bed.sut, 'register', await registrationArgs(salt, signer, { until: now + 29n * 86_400n }));
    });
  });

  describe('rotateSigner', () => {
    it('moves the handle to a new key when the current and the new key both sign, and emits SignerRotated', async () => {
      const { handle, signer } = await registered();
      const next = newKey();

      const { events } = await transact(bed.sut, 'rotateSigner', await rotationArgs(handle, signer, next));

      expect(events).toEqual([{ name: 'SignerRotated', args: { handle, previousSigner: signer.address, newSigner: next.address } }]);
      expect(await signerOf(handle)).toBe(next.address);
      expect(await nonceOf(handle)).toBe(2n);
    });

    it('rejects a rotation the current key did not sign', async () => {
      const { handle, signer } = await registered();
      const next = newKey();
      const args = await rotationArgs(handle, next, next); // "current" signature by the new key itself

      const error = await revertOf(bed.relayer.send(bed.sut, 'rotateSigner', args));

      expect(error.errorName).toBe('PatientRegistryInvalidSigner');
      expect(error.args).toEqual([next.address, signer.address]);
      expect(await signerOf(handle)).toBe(signer.address);
    });

    it('rejects a rotation to a key that did not sign it', async () => {
      const { handle, signer } = await registered();
      const next = newKey();
      const [, , until, currentSignature] = await rotationArgs(handle, signer, next);
      const other = (await rotationArgs(handle, signer, newKey(), { until: until as bigint }))[4];

      const error = await revertOf(bed.relayer.send(bed.sut, 'rotateSigner', [handle, next.address, until, currentSignature, other]));

      expect(error.errorName).toBe('PatientRegistryInvalidSigner');
      expect(error.args[1]).toBe(next.address);
      expect(await signerOf(handle)).toBe(signer.address);
    });

    it('refuses a replayed rotation: its nonce is used', async () => {
      const { handle, signer } = await registered();
      const next = newKey();
      const first = await rotationArgs(handle, signer, next);
      await transact(bed.sut, 'rotateSigner', first);
      await transact(bed.sut, 'rotateSigner', await rotationArgs(handle, next, signer)); // back to the first key

      const error = await revertOf(bed.relayer.send(bed.sut, 'rotateSigner', first));

      expect(error.errorName).toBe('PatientRegistryInvalidSigner');
      expect(error.args[1]).toBe(signer.address);
      expect(await signerOf(handle)).toBe(signer.address);
    });

    it('rejects a rotation after its deadline', async () => {
      const { handle, signer } = await registered();
      const until = (await blockTimestamp(bed.chain)) - 1n;

      const error = await revertOf(bed.relayer.send(bed.sut, 'rotateSigner', await rotationArgs(handle, signer, newKey(), { until })));

      expect(error.errorName).toBe('PatientRegistryExpiredSignature');
      expect(error.args).toEqual([until]);
    });

    it('rejects a rotation of an unknown handle', async () => {
      const handle = randomBytes32();
      const key = newKey();

      const error = await revertOf(bed.relayer.send(bed.sut, 'rotateSigner', await rotationArgs(handle, key, newKey(), { nonce: 0n })));

      expect(error.errorName).toBe('PatientRegistryUnknownHandle');
      expect(error.args).toEqual([handle]);
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
      const { domain } = bed;
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
