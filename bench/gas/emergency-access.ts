import { ChainContract } from '../../gateway/src/chain/chain-contract';
import { buildTypedData, Eip712Domain, signTypedData } from '../../gateway/src/chain/eip712';
import { EMERGENCY_ACCESS_DOMAIN, EMERGENCY_ACCESS_TYPES } from '../../gateway/src/chain/typed-messages';
import { deployConsortium, registerPractitioner } from './consortium-registry';
import { FAR_FUTURE, FixedKey, GasScenario, eip712Domain, fixedBytes32, perUnit } from './scenario';

/** As the gateway deploys it by default: EMERGENCY_MAX_HOURS 24, EMERGENCY_APPROVAL_MINUTES 120. */
const MAX_DURATION = 24 * 3_600;
const APPROVAL_WINDOW = 2 * 3_600;
const DURATION = 3_600;
/** Requests listed for one patient before a page of them is read, and the page size. */
const LISTED = 20;
const PAGE = 10;

/** request() arguments for a new patient, signed by `doctor` at its nonce `nonce`. */
function requestArgs(domain: Eip712Domain, doctor: FixedKey, patientLabel: string, nonce: number): unknown[] {
  const patient = fixedBytes32(`EmergencyAccess/${patientLabel}`);
  const reasonHash = fixedBytes32(`EmergencyAccess/${patientLabel}/reason`);
  const message = { patient, reasonHash, duration: DURATION, nonce: BigInt(nonce), deadline: BigInt(FAR_FUTURE) };
  const signature = signTypedData(doctor.privateKey, buildTypedData(domain, 'EmergencyRequest', EMERGENCY_ACCESS_TYPES, message));
  return [patient, reasonHash, DURATION, doctor.address, FAR_FUTURE, signature];
}

/** end() arguments: `doctor` ends `requestId`. */
function endArgs(domain: Eip712Domain, doctor: FixedKey, requestId: number): unknown[] {
  const message = { requestId: BigInt(requestId), deadline: BigInt(FAR_FUTURE) };
  return [requestId, FAR_FUTURE, signTypedData(doctor.privateKey, buildTypedData(domain, 'EmergencyEnd', EMERGENCY_ACCESS_TYPES, message))];
}

export const emergencyAccessScenario: GasScenario = {
  contract: 'EmergencyAccess',
  artifacts: ['ConsortiumRegistry', 'EmergencyAccess'],
  async measure(context) {
    const { deploy, send, key, chain } = context;
    const consortium = await deployConsortium(context);
    const [first, second, third] = consortium.authorities;
    const doctor = key('doctor');
    const colleague = key('doctor-2');
    await registerPractitioner(context, consortium, doctor.address);
    await registerPractitioner(context, consortium, colleague.address);
    const sut: ChainContract = await deploy('EmergencyAccess', [consortium.registry.address, MAX_DURATION, APPROVAL_WINDOW]);
    const domain = await eip712Domain(chain, sut, EMERGENCY_ACCESS_DOMAIN.name);

    // Request 1, not measured: every measured request finds the request counter non-zero, as on a chain in use.
    await send(sut, 'request', requestArgs(domain, colleague, 'patient-0', 0));
    // Relayed by the deployer; each for a patient with no request yet (a new list).
    const firstRequest = await send(sut, 'request', requestArgs(domain, doctor, 'patient-1', 0)); // request 2
    const laterRequest = await send(sut, 'request', requestArgs(domain, doctor, 'patient-2', 1)); // request 3
    const approvePending = await send(sut, 'approve', [2], first);
    const approveGrants = await send(sut, 'approve', [2], second);
    // Denial takes k votes like approval: the first records a vote, the k-th denies.
    const denyPending = await send(sut, 'deny', [3], third);
    const denyDenies = await send(sut, 'deny', [3], first);

    // Requests 4 and 5, granted; 4 is revoked by two authorities, 5 ended by its doctor.
    await send(sut, 'request', requestArgs(domain, doctor, 'patient-3', 2));
    await send(sut, 'request', requestArgs(domain, doctor, 'patient-4', 3));
    for (const requestId of [4, 5]) {
      await send(sut, 'approve', [requestId], first);
      await send(sut, 'approve', [requestId], second);
    }
    const revokePending = await send(sut, 'revoke', [4], third);
    const revokeRevokes = await send(sut, 'revoke', [4], first);
    const end = await send(sut, 'end', endArgs(domain, doctor, 5));

    // A patient with a long list: a page costs the same whatever the list's length.
    for (let nonce = 1; nonce <= LISTED; nonce++) await send(sut, 'request', requestArgs(domain, colleague, 'listed', nonce));
    const patient = fixedBytes32('EmergencyAccess/listed');
    const page = await context.estimate(sut, 'requestsOfPatient', [patient, LISTED - PAGE, PAGE]);

    const fromDirectory = 'consults ConsortiumRegistry (2 of 3)';
    return [
      perUnit("EmergencyAccess.request (doctor's first)", 'transaction', 1, firstRequest, { note: `first use of the doctor's nonce; a patient with no request yet; ${fromDirectory}` }),
      perUnit("EmergencyAccess.request (doctor's later)", 'transaction', 1, laterRequest, { note: 'a patient with no request yet' }),
      perUnit('EmergencyAccess.approve (pending)', 'transaction', 1, approvePending, { note: '1st approval of 2: no grant yet' }),
      perUnit('EmergencyAccess.approve (grants)', 'transaction', 1, approveGrants, { note: '2nd approval of 2: grants access' }),
      perUnit('EmergencyAccess.deny (pending)', 'transaction', 1, denyPending, { note: '1st denial of 2 (k of n, like approval): records the vote' }),
      perUnit('EmergencyAccess.deny (denies)', 'transaction', 1, denyDenies, { note: '2nd denial of 2: the request is denied' }),
      perUnit('EmergencyAccess.revoke (pending)', 'transaction', 1, revokePending, { note: '1st revocation of 2 of a granted access' }),
      perUnit('EmergencyAccess.revoke (revokes)', 'transaction', 1, revokeRevokes, { note: 'by an authority that approved; 2nd of 2: access ends' }),
      perUnit('EmergencyAccess.end', 'transaction', 1, end, { note: "the doctor's signed end of a granted access, relayed" }),
      perUnit(`EmergencyAccess.requestsOfPatient (${PAGE} of ${LISTED})`, 'transaction', 1, page, { note: `a view; a page of ${PAGE} ids from offset ${LISTED - PAGE}: independent of the list's length` }),
    ];
  },
};
