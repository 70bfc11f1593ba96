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
 * account deploys them but administers none: consortium governance belongs to the authorities.
 * ConsortiumRoleAdmin, deployed right after the registry, carries out what k of its authorities
 * approve, and is the admin of RecordAnchors and AccessLog (unless CONTRACTS_ADMIN names another),
 * with the gateway's key only their writer (ANCHORER_ROLE, LOGGER_ROLE). DESIGN.md, trust model 8.
 */
export function contractSuite(consortium: AppConfig['consortium'], authorities: string[], gateway: string): ContractSpec[] {
  const override = consortium.contractsAdmin;
  if (override?.toLowerCase() === gateway.toLowerCase()) {
    throw new ConfigError('CONTRACTS_ADMIN', `is the gateway's own sending key ${override}; the gateway may only be the contracts' writer`);
  }
  const writerContract = (name: string): ContractSpec => ({
    name,
    args: (deployed) => [CONTRACTS_ADMIN_DELAY_SECONDS, override ?? deployed.ConsortiumRoleAdmin, gateway],
  });
  return [
    { name: 'ConsortiumRegistry', args: () => [authorities, consortium.threshold, consortium.proposalTtlSeconds] },
    { name: 'ConsortiumRoleAdmin', args: (deployed) => [deployed.ConsortiumRegistry] },
    { name: 'EmergencyAccess', args: (deployed) => [deployed.ConsortiumRegistry, consortium.emergencyMaxSeconds, consortium.emergencyApprovalSeconds] },
    { name: 'ConsentManager', args: (deployed) => [deployed.ConsortiumRegistry] },
    writerContract('RecordAnchors'),
    writerContract('AccessLog'),
  ];
}
