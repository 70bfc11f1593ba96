import { accessLogScenario } from './access-log';
import { recordAnchorsScenario } from './record-anchors';
import { GasScenario } from './scenario';

/**
 * Every contract measured by the gas report and checked by test/contracts/gas.spec.ts, one
 * module per contract in bench/gas/<contract>.ts exporting a GasScenario.
 *
 * ADD SCENARIOS HERE for ConsentManager (target: a grant at most 60,000 gas), PatientRegistry,
 * ConsortiumRegistry and EmergencyAccess, then regenerate the report (see bench/GAS.md) and
 * commit bench/gas-report.json and bench/GAS.md with them.
 */
export const GAS_SCENARIOS: readonly GasScenario[] = [
  recordAnchorsScenario,
  accessLogScenario,
];
