import { AppConfig, ConfigError } from '../config/app-config';
import { ContractSpec } from './deployments';

/**
 * How long a started handover of RecordAnchors' and AccessLog's admin waits before the new admin
 * can accept it (AccessControlDefaultAdminRules): two days for the consortium to notice and
 * cancel a handover it did not mean.
 */
export const CONTRACTS_ADMIN_DELAY_SECONDS = 2 * 24 * 3600;

/**
 * EHRChain's contracts in deployment order (later ones take earlier addresses). The gateway's
 * account deploys them but administers none: consortium governance belongs to the authorities,
 * and RecordAnchors and AccessLog get their admin at deployment (CONTRACTS_ADMIN, by default
 * the first authority), with the gateway's key only their writer (ANCHORER_ROLE, LOGGER_ROLE).
 */
export function contractSuite(consortium: AppConfig['consortium'], authorities: string[], gateway: string): ContractSpec[] {
  const admin = consortium.contractsAdmin ?? authorities[0];
  if (!admin) throw new ConfigError('CONTRACTS_ADMIN', 'is required when there is no consortium authority');
  if (admin.toLowerCase() === gateway.toLowerCase()) {
    throw new ConfigError('CONTRACTS_ADMIN', `is the gateway's own sending key ${admin}; the gateway may only be the contracts' writer`);
  }
  const writerContract = (name: string): ContractSpec => ({ name, args: () => [CONTRACTS_ADMIN_DELAY_SECONDS, admin, gateway] });
  return [
    { name: 'ConsortiumRegistry', args: () => [authorities, consortium.threshold, consortium.proposalTtlSeconds] },
    { name: 'EmergencyAccess', args: (deployed) => [deployed.ConsortiumRegistry, consortium.emergencyMaxSeconds, consortium.emergencyApprovalSeconds] },
    { name: 'ConsentManager', args: (deployed) => [deployed.ConsortiumRegistry] },
    writerContract('RecordAnchors'),
    writerContract('AccessLog'),
  ];
}
