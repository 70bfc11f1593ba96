import { buildTypedData, Eip712Domain, signTypedData } from '../../gateway/src/chain/eip712';
import { patientHandle } from '../../gateway/src/chain/patient-handle';
import { CONSENT_MANAGER_DOMAIN, CONSENT_MANAGER_TYPES, ConsentManagerMessage } from '../../gateway/src/chain/typed-messages';
import { deployConsortium, registerPractitioner } from './consortium-registry';
import { FAR_FUTURE, FixedKey, GasScenario, eip712Domain, fixedBytes32, perUnit } from './scenario';

/** The target: a consent grant at most 60,000 gas, transaction included. */
export const GRANT_TARGET = 60_000;
/** Issue 9: a first grant that also registers the relationship's handle, at most 90,000 gas. */
export const RELATIONSHIP_GRANT_TARGET = 90_000;

const ZERO_ROOT = `0x${'00'.repeat(32)}`;
/** ABDM HI types Prescription and DiagnosticReport (bits 1, 3), purpose CAREMGT (bit 0), records of 2020-09 to 2023-11. */
const TERMS_GRANTED = { categories: 0b1010, purposes: 0b1, fromDate: 1_600_000_000, toDate: 1_700_000_000, expiry: FAR_FUTURE, recordsRoot: ZERO_ROOT };
/** The update narrows to DiagnosticReport and adds purpose PUBHLTH (bit 2). */
const TERMS_UPDATED = { ...TERMS_GRANTED, categories: 0b1000, purposes: 0b101 };
const TERMS_WITH_ROOT = { ...TERMS_GRANTED, recordsRoot: fixedBytes32('ConsentManager/records-root') };
type Terms = typeof TERMS_GRANTED;

export const consentManagerScenario: GasScenario = {
  contract: 'ConsentManager',
  artifacts: ['ConsortiumRegistry', 'ConsentManager'],
  async measure(context) {
    const { deploy, send, key, chain } = context;
    const consortium = await deployConsortium(context);
    const doctor = key('doctor');
    const colleague = key('doctor-2');
    await registerPractitioner(context, consortium, doctor.address);
    await registerPractitioner(context, consortium, colleague.address);
    const sut = await deploy('ConsentManager', [consortium.registry.address]);
    const domain: Eip712Domain = await eip712Domain(chain, sut, CONSENT_MANAGER_DOMAIN.name);
    const sign = (type: ConsentManagerMessage, signer: FixedKey, message: Record<string, unknown>): string =>
      signTypedData(signer.privateKey, buildTypedData(domain, type, { [type]: CONSENT_MANAGER_TYPES[type] }, { ...message, deadline: BigInt(FAR_FUTURE) }));

    // Everything is relayed by the deployer (the gateway); the patient, doctors and guardians only sign.
    const [signer, rotated, recovered] = [key('patient'), key('patient/rotated'), key('patient/recovered')];
    const salt = fixedBytes32('ConsentManager/patient');
    const handle = patientHandle(signer.address, salt);
    const guardians = [key('guardian-0'), key('guardian-1'), key('guardian-2')];
    let handleNonce = 0;

    const register = await send(sut, 'register', [handle, signer.address, salt, FAR_FUTURE, sign('Registration', signer, { handle, signer: signer.address, nonce: BigInt(handleNonce++) })]);

    const grant = (grantee: string, terms: Terms, nonce: number) =>
      send(sut, 'grant', [handle, grantee, terms, FAR_FUTURE, sign('ConsentGrant', signer, { patient: handle, grantee, ...terms, nonce: BigInt(nonce) })]);
    const hospital = consortium.hospital.address;
    const grantFirst = await grant(hospital, TERMS_GRANTED, 0);
    const grantUpdate = await grant(hospital, TERMS_UPDATED, 1);
    const grantWithRoot = await grant(key('hospital-2').address, TERMS_WITH_ROOT, 0);
    // A relationship of its own per grantee (issue 9, point 8): handle, key and first consent in one message.
    const relationship = key('patient/relationship');
    const relationshipSalt = fixedBytes32('ConsentManager/relationship');
    const relationshipHandle = patientHandle(relationship.address, relationshipSalt);
    const registerAndGrant = await send(sut, 'registerAndGrant', [relationshipHandle, relationship.address, hospital, TERMS_GRANTED, relationshipSalt, FAR_FUTURE,
      sign('RelationshipGrant', relationship, { patient: relationshipHandle, signer: relationship.address, grantee: hospital, ...TERMS_GRANTED })]);
    const revoke = await send(sut, 'revoke', [handle, hospital, FAR_FUTURE, sign('ConsentRevocation', signer, { patient: handle, grantee: hospital, nonce: 2n })]);

    const { fromDate, toDate, expiry, categories, purposes } = TERMS_GRANTED;
    const requestConsent = (by: FixedKey) =>
      send(sut, 'requestConsent', [handle, by.address, categories, purposes, fromDate, toDate, expiry, FAR_FUTURE,
        sign('ConsentRequest', by, { patient: handle, doctor: by.address, categories, purposes, fromDate, toDate, expiry, nonce: 0n })]);
    // Request 1, not measured: the measured one finds the request counter non-zero, as on a chain in use.
    await requestConsent(colleague);
    const request = await requestConsent(doctor); // request 2
    const grantRequest = await send(sut, 'grantRequest', [2, TERMS_GRANTED, FAR_FUTURE, sign('ConsentApproval', signer, { requestId: 2n, patient: handle, doctor: doctor.address, ...TERMS_GRANTED, nonce: 0n })]);
    const denyRequest = await send(sut, 'denyRequest', [1, FAR_FUTURE, sign('ConsentDenial', signer, { requestId: 1n, patient: handle, doctor: colleague.address, nonce: 0n })]);

    const rotation = { handle, newSigner: rotated.address, nonce: BigInt(handleNonce++) };
    const rotate = await send(sut, 'rotateSigner', [handle, rotated.address, FAR_FUTURE, sign('Rotation', signer, rotation), sign('Rotation', rotated, rotation)]);
    const guardianAddresses = guardians.map(({ address }) => address);
    const setGuardians = await send(sut, 'setGuardians', [handle, guardianAddresses, 2, FAR_FUTURE,
      sign('GuardianSet', rotated, { handle, guardians: guardianAddresses, threshold: 2, nonce: BigInt(handleNonce++) })]);
    // The delays are 3 days each; the chain starts a week before FAR_FUTURE, so deadlines stay valid.
    const [guardianChangeDelay, recoveryDelay] = await Promise.all(
      ['GUARDIAN_CHANGE_DELAY', 'RECOVERY_DELAY'].map(async (name) => Number((await chain.call(sut, name, []))[0] as bigint)),
    );
    await context.increaseTime(guardianChangeDelay!);
    const applyGuardians = await send(sut, 'applyGuardians', [handle]);
    // Recoveries have their own nonce (recoveryNonces), which the key cannot spend.
    const startRecovery = (recoveryNonce: number) => {
      const recovery = { handle, newSigner: recovered.address, nonce: BigInt(recoveryNonce) };
      return send(sut, 'startRecovery', [handle, recovered.address, FAR_FUTURE, guardians.slice(0, 2).map((guardian) => sign('Recovery', guardian, recovery))]);
    };
    const startFirst = await startRecovery(0);
    const veto = await send(sut, 'vetoRecovery', [handle, FAR_FUTURE,
      sign('RecoveryVeto', rotated, { handle, newSigner: recovered.address, recovery: 0n, nonce: BigInt(handleNonce++) })]);
    const startAgain = await startRecovery(1);
    await context.increaseTime(recoveryDelay!);
    const completeRecovery = await send(sut, 'completeRecovery', [handle]);

    return [
      perUnit('ConsentManager.grant (first)', 'transaction', 1, grantFirst, { target: GRANT_TARGET, note: 'first consent of the patient to this grantee, no records root' }),
      perUnit('ConsentManager.grant (update)', 'transaction', 1, grantUpdate, { note: 'replaces the consent to the same grantee' }),
      perUnit('ConsentManager.grant (records root)', 'transaction', 1, grantWithRoot, { note: 'first consent to this grantee, narrowed to a records root (a 2nd slot)' }),
      perUnit('ConsentManager.registerAndGrant', 'transaction', 1, registerAndGrant, {
        target: RELATIONSHIP_GRANT_TARGET, note: "opens a relationship: registers its handle and grants its first consent, one message by the relationship's key",
      }),
      perUnit('ConsentManager.revoke', 'transaction', 1, revoke),
      perUnit('ConsentManager.requestConsent', 'transaction', 1, request, { note: "the doctor's first request; consults ConsortiumRegistry" }),
      perUnit('ConsentManager.grantRequest', 'transaction', 1, grantRequest, { note: 'first consent to this doctor' }),
      perUnit('ConsentManager.denyRequest', 'transaction', 1, denyRequest, { note: 'a doctor without consent: its nonce takes a new slot' }),
      perUnit('PatientRegistry.register', 'transaction', 1, register, { note: 'in ConsentManager (PatientRegistry is its abstract base)' }),
      perUnit('PatientRegistry.rotateSigner', 'transaction', 1, rotate, { note: 'signed by the current and the new key' }),
      perUnit('PatientRegistry.setGuardians (3 guardians)', 'transaction', 1, setGuardians, { note: 'proposes threshold 2, none named before' }),
      perUnit('PatientRegistry.applyGuardians', 'transaction', 1, applyGuardians, { note: 'after GUARDIAN_CHANGE_DELAY: flips which stored set is in force' }),
      perUnit('PatientRegistry.startRecovery (2 of 3)', 'transaction', 1, startFirst, { note: "2 of the 3 guardians sign; the handle's first recovery (a new slot)" }),
      perUnit('PatientRegistry.vetoRecovery', 'transaction', 1, veto, { note: 'the signer vetoes; no guardian change proposed' }),
      perUnit('PatientRegistry.startRecovery (2 of 3, again)', 'transaction', 1, startAgain, { note: 'after a veto: the recovery slot is in use' }),
      perUnit('PatientRegistry.completeRecovery', 'transaction', 1, completeRecovery, { note: 'after RECOVERY_DELAY, by anyone' }),
    ];
  },
};
