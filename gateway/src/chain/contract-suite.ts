import { AppConfig } from '../config/app-config';
import { ContractSpec } from './deployments';

/**
 * EHRChain's contracts in deployment order (later ones take earlier addresses). The gateway's
 * account deploys them, and so holds RecordAnchors' ANCHORER_ROLE and AccessLog's LOGGER_ROLE;
 * consortium governance belongs to the authorities alone.
 */
export function contractSuite(consortium: AppConfig['consortium'], authorities: string[]): ContractSpec[] {
  return [
    { name: 'ConsortiumRegistry', args: () => [authorities, consortium.threshold, consortium.proposalTtlSeconds] },
    { name: 'EmergencyAccess', args: (deployed) => [deployed.ConsortiumRegistry, consortium.emergencyMaxSeconds, consortium.emergencyApprovalSeconds] },
    { name: 'ConsentManager', args: (deployed) => [deployed.ConsortiumRegistry] },
    { name: 'RecordAnchors' },
    { name: 'AccessLog' },
  ];
}
