import { HttpStatus } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AccountPrincipal } from '../auth/principal';
import { ApiError } from '../common/errors';
import { AccountEntity } from './account.entity';

/**
 * The caller's own chain address: what consents, emergencies and the access log name them by (a
 * practitioner's registered address, a hospital system's consortium address). 403 NO_CHAIN_ADDRESS
 * when an administrator has not set it.
 */
export async function chainAddressOf(db: DataSource, auth: AccountPrincipal): Promise<string> {
  const account = await db.manager.findOneBy(AccountEntity, { id: auth.accountId });
  if (!account?.chainAddress) {
    throw new ApiError(HttpStatus.FORBIDDEN, 'NO_CHAIN_ADDRESS', 'Your account has no chain address: patients and the chain name you by it, so an administrator must set the one the consortium registered for you');
  }
  return account.chainAddress;
}

/** Account names by id, for showing a patient who read or asked ("doctor.sharma (doctor)"). */
export async function accountNames(db: DataSource, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const accounts = await db.manager.createQueryBuilder(AccountEntity, 'a').where('a.id IN (:...ids)', { ids: [...new Set(ids)] }).getMany();
  return new Map(accounts.map((account) => [account.id, `${account.username} (${account.role})`]));
}
