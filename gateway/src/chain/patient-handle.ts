import { encodeParameters } from 'web3-eth-abi';
import * as utils from 'web3-utils';

/**
 * A patient's on-chain handle, as PatientRegistry.handleOf computes it: it commits to the
 * patient's consent key (`signer`) and a secret of the patient's software (`salt`), so nobody
 * who sees a registration before it is mined can register the handle with another key.
 */
export const HANDLE_TAG = utils.keccak256(utils.utf8ToHex('EHRChain patient handle'));

export function patientHandle(signer: string, salt: string): string {
  return utils.keccak256(encodeParameters(['bytes32', 'address', 'bytes32'], [HANDLE_TAG, signer, salt]));
}
