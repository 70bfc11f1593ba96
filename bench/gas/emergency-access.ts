import { ChainContract } from '../../gateway/src/chain/chain-contract';
import { buildTypedData, Eip712Domain, signTypedData } from '../../gateway/src/chain/eip712';
import { EMERGENCY_ACCESS_DOMAIN, EMERGENCY_ACCESS_TYPES } from '../../gateway/src/chain/typed-messages';
import { deployConsortium, registerPractitioner } from './consortium-registry';
import { FAR_FUTURE, FixedKey, GasScenario, eip712Domain, fixedBytes32, perUnit } from './scenario';

/** As the gateway deploys it by default: EMERGENCY_MAX_HOURS 24. */
const MAX_DURATION = 24 * 3_600;
const DURATION = 3_600;

/** request() arguments for a new patient, signed by `doctor` at its nonce `nonce`. */
function requestArgs(domain: Eip712Domain, doctor: FixedKey, patientLabel: string, nonce: number): unknown[] {
  const patient = fixedBytes32(`EmergencyAccess/${patientLabel}`);
  const reasonHash = fixedBytes32(`EmergencyAccess/${patientLabel}/reason`);
  const message = { patient, reasonHash, duration: DURATION, nonce: BigInt(nonce), deadline: BigInt(FAR_FUTURE) };
  const signature = signTypedData(doctor.privateKey, buildTypedData(domain, 'EmergencyRequest', EMERGENCY_ACCESS_TYPES, message));
  return [patient, reasonHash, DURATION, doctor.address, FAR_FUTURE, signature];
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
    const sut: ChainContract = await deploy('EmergencyAccess', [consortium.registry.address, MAX_DURATION]);
    const domain = await eip712Domain(chain, sut, EMERGENCY_ACCESS_DOMAIN.name);

    // Request 1, not measured: every measured request finds the request counter non-zero, as on a chain in use.
    await send(sut, 'request', requestArgs(domain, colleague, 'patient-0', 0));
    // Relayed by the deployer; each for a patient with no request yet (a new list).
    const firstRequest = await send(sut, 'request', requestArgs(domain, doctor, 'patient-1', 0)); // request 2
    const laterRequest = await send(sut, 'request', requestArgs(domain, doctor, 'patient-2', 1)); // request 3
    const approvePending = await send(sut, 'approve', [2], first);
    const approveGrants = await send(sut, 'approve', [2], second);
    const deny = await send(sut, 'deny', [3], third);

    const fromDirectory = 'consults ConsortiumRegistry (2 of 3)';
    return [
      perUnit("EmergencyAccess.request (doctor's first)", 'transaction', 1, firstRequest, { note: `first use of the doctor's nonce; a patient with no request yet; ${fromDirectory}` }),
      perUnit("EmergencyAccess.request (doctor's later)", 'transaction', 1, laterRequest, { note: 'a patient with no request yet' }),
      perUnit('EmergencyAccess.approve (pending)', 'transaction', 1, approvePending, { note: '1st approval of 2: no grant yet' }),
      perUnit('EmergencyAccess.approve (grants)', 'transaction', 1, approveGrants, { note: '2nd approval of 2: grants access' }),
      perUnit('EmergencyAccess.deny', 'transaction', 1, deny, { note: 'a pending request, no approval yet' }),
    ];
  },
};
