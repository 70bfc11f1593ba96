import type { Counterpart, Wallet } from '../../../sdk/wallet-format';

/**
 * The patient's file on this device (localStorage): the same file the CLI keeps, its keys
 * encrypted under the patient's password. The persona token and the unlocked keys live only in
 * the page's memory; closing the tab forgets them.
 */
const KEY = 'ehrchain.patient';

export const device = {
  load(): Wallet | null {
    const text = localStorage.getItem(KEY);
    return text ? (JSON.parse(text) as Wallet) : null;
  },
  save(wallet: Wallet): void {
    // Never the session: a token left in storage would outlive the tab.
    const { session: _session, pending: _pending, ...kept } = wallet;
    localStorage.setItem(KEY, JSON.stringify(kept));
  },
  forget(): void {
    localStorage.removeItem(KEY);
  },
  /** Adds (or renames) a hospital or doctor in the device's address book. */
  remember(wallet: Wallet, counterpart: Counterpart): Wallet {
    const others = (wallet.counterparts ?? []).filter((c) => c.address.toLowerCase() !== counterpart.address.toLowerCase());
    const updated = { ...wallet, counterparts: [...others, counterpart] };
    device.save(updated);
    return updated;
  },
};

/** Offers the patient file as a download: the backup, readable only with the password. */
export function downloadBackup(wallet: Wallet): void {
  const { session: _session, pending: _pending, ...kept } = wallet;
  const url = URL.createObjectURL(new Blob([`${JSON.stringify(kept, null, 2)}\n`], { type: 'application/json' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = 'ehrchain-patient-backup.json';
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
