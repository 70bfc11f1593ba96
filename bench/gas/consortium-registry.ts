import { ChainClient } from '../../gateway/src/chain/chain-client';
import { ChainContract } from '../../gateway/src/chain/chain-contract';
import { GasContext, GasScenario, fixedBytes32, perUnit } from './scenario';

/** Practitioner roles of ConsortiumRegistry. */
export const DOCTOR = 1;
export const PHARMACIST = 2;
/** As the gateway deploys it by default: 2 of 3 authorities (DEV_AUTHORITIES), PROPOSAL_TTL_HOURS 168. */
const THRESHOLD = 2;
const PROPOSAL_TTL = 168 * 3_600;

export interface Consortium {
  registry: ChainContract;
  authorities: ChainClient[];
  /** Admitted by the registry's first proposal. */
  hospital: ChainClient;
}

/** A k-of-n ConsortiumRegistry of the authorities `authority-0`… with no proposal yet. */
async function deployRegistry({ deploy, client }: GasContext, authorityCount: number, threshold: number) {
  const authorities = Array.from({ length: authorityCount }, (_, i) => client(`authority-${i}`));
  const registry = await deploy('ConsortiumRegistry', [authorities.map(({ address }) => address), threshold, PROPOSAL_TTL]);
  return { registry, authorities };
}

/**
 * A 2-of-3 ConsortiumRegistry, as the gateway deploys it, with one admitted hospital: the directory
 * EmergencyAccess and ConsentManager ask. Its first proposal (the admission) is not measured.
 */
export async function deployConsortium(context: GasContext): Promise<Consortium> {
  const { registry, authorities } = await deployRegistry(context, 3, THRESHOLD);
  const hospital = context.client('hospital');
  await context.send(registry, 'proposeAdmission', [hospital.address, fixedBytes32('hospital/dossier')], authorities[0]);
  await context.send(registry, 'approve', [1], authorities[1]);
  return { registry, authorities, hospital };
}

/** A doctor or pharmacist registered by the consortium's hospital. */
export async function registerPractitioner({ send }: GasContext, { registry, hospital }: Consortium, address: string, role = DOCTOR): Promise<number> {
  return send(registry, 'registerPractitioner', [address, role, fixedBytes32(`council/${address}`)], hospital);
}

export const consortiumRegistryScenario: GasScenario = {
  contract: 'ConsortiumRegistry',
  artifacts: ['ConsortiumRegistry'],
  async measure(context) {
    const { send, key } = context;
    // Proposal 1 admits `hospital`: every measured proposal finds the proposal counter non-zero, as on a chain in use.
    const consortium = await deployConsortium(context);
    const { registry, authorities, hospital } = consortium;
    const [first, second, third] = authorities as [ChainClient, ChainClient, ChainClient];
    const newHospital = key('hospital-2').address;

    const proposeAdmission = await send(registry, 'proposeAdmission', [newHospital, fixedBytes32('hospital-2/dossier')], first);
    const approveAdmission = await send(registry, 'approve', [2], second);

    const doctor = key('doctor').address;
    const register = await registerPractitioner(context, consortium, doctor);
    const deactivate = await send(registry, 'deactivatePractitioner', [doctor], hospital);

    const proposeSuspension = await send(registry, 'proposeSuspension', [newHospital, fixedBytes32('hospital-2/suspension')], third);
    const approveSuspension = await send(registry, 'approve', [3], first);

    // In 2 of 3 the one approval after the proposer's always executes; in 3 of 4 the first does not.
    const wider = (await deployRegistry(context, 4, 3)).registry;
    await send(wider, 'proposeAdmission', [newHospital, fixedBytes32('hospital-2/dossier')], first);
    const approvePending = await send(wider, 'approve', [1], second);

    // Proposal 4 of the 2-of-3 registry, withdrawn by its proposer before anyone approves.
    await send(registry, 'proposeAdmission', [key('hospital-3').address, fixedBytes32('hospital-3/dossier')], second);
    const cancel = await send(registry, 'cancel', [4], second);

    return [
      perUnit('ConsortiumRegistry.proposeAdmission', 'transaction', 1, proposeAdmission, { note: "3 new slots; the proposer's approval counts" }),
      perUnit('ConsortiumRegistry.approve (admits)', 'transaction', 1, approveAdmission, { note: 'the 2nd approval of 2 of 3: executes the admission' }),
      perUnit('ConsortiumRegistry.approve (3 of 4, pending)', 'transaction', 1, approvePending, { note: 'the 2nd approval of 3 of 4: does not execute' }),
      perUnit('ConsortiumRegistry.proposeSuspension', 'transaction', 1, proposeSuspension),
      perUnit('ConsortiumRegistry.approve (suspends)', 'transaction', 1, approveSuspension, { note: 'the 2nd approval of 2 of 3: executes the suspension' }),
      perUnit('ConsortiumRegistry.registerPractitioner', 'transaction', 1, register, { note: 'a doctor never registered before' }),
      perUnit('ConsortiumRegistry.deactivatePractitioner', 'transaction', 1, deactivate),
      perUnit('ConsortiumRegistry.cancel', 'transaction', 1, cancel, { note: 'by its proposer, an open proposal' }),
    ];
  },
};
