import { accessLogScenario } from './access-log';
import { consentManagerScenario } from './consent-manager';
import { consortiumRegistryScenario } from './consortium-registry';
import { consortiumRoleAdminScenario } from './consortium-role-admin';
import { emergencyAccessScenario } from './emergency-access';
import { recordAnchorsScenario } from './record-anchors';
import { GasScenario } from './scenario';

/**
 * Every contract measured by the gas report and checked by test/contracts/gas.spec.ts, one
 * module per contract in bench/gas/<contract>.ts exporting a GasScenario (PatientRegistry's rows
 * are in consent-manager.ts: it is deployed only as ConsentManager's base).
 * After adding or changing one, regenerate the report (see bench/GAS.md) and commit
 * bench/gas-report.json and bench/GAS.md with it.
 */
export const GAS_SCENARIOS: readonly GasScenario[] = [
  recordAnchorsScenario,
  accessLogScenario,
  consortiumRegistryScenario,
  emergencyAccessScenario,
  consentManagerScenario,
  // Last: a scenario's deployments move the addresses (and so the calldata) of every later one.
  consortiumRoleAdminScenario,
];
