import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Eip712Field } from './eip712';
import { CONSENT_MANAGER_DOMAIN, CONSENT_MANAGER_TYPES, EMERGENCY_ACCESS_DOMAIN, EMERGENCY_ACCESS_TYPES } from './typed-messages';

const CONTRACTS = join(__dirname, '../../../contracts');
const source = (file: string): string => readFileSync(join(CONTRACTS, file), 'utf8');

/** The struct type strings hashed in `keccak256("Name(type name,...)")` literals, by type name. */
function typehashStrings(...files: string[]): Record<string, string> {
  const found: Record<string, string> = {};
  for (const file of files) {
    for (const [, text] of source(file).matchAll(/keccak256\(\s*"([^"]*)"\s*\)/g)) {
      const name = /^(\w+)\(/.exec(text!)?.[1];
      if (name) found[name] = text!;
    }
  }
  return found;
}

/** EIP-712 encodeType: the primary type, then the struct types it references, sorted by name. */
function encodeType(primaryType: string, types: Record<string, readonly Eip712Field[]>): string {
  const referenced = new Set<string>();
  const visit = (name: string): void => {
    for (const { type } of types[name]!) {
      const base = type.replace(/(\[\d*\])+$/, '');
      if (base in types && base !== primaryType && !referenced.has(base)) {
        referenced.add(base);
        visit(base);
      }
    }
  };
  visit(primaryType);
  return [primaryType, ...[...referenced].sort()].map((name) => `${name}(${types[name]!.map((f) => `${f.type} ${f.name}`).join(',')})`).join('');
}

function domainOf(file: string): { name: string; version: string } {
  const match = /EIP712\(\s*"([^"]*)"\s*,\s*"([^"]*)"\s*\)/.exec(source(file));
  if (!match) throw new Error(`no EIP712 constructor call in ${file}`);
  return { name: match[1]!, version: match[2]! };
}

describe.each([
  { contract: 'ConsentManager', files: ['ConsentManager.sol', 'ConsentGrants.sol', 'PatientRegistry.sol', 'PatientGuardians.sol'], domain: CONSENT_MANAGER_DOMAIN, types: CONSENT_MANAGER_TYPES as Record<string, readonly Eip712Field[]> },
  { contract: 'EmergencyAccess', files: ['EmergencyAccess.sol'], domain: EMERGENCY_ACCESS_DOMAIN, types: EMERGENCY_ACCESS_TYPES as Record<string, readonly Eip712Field[]> },
])('typed messages of $contract', ({ contract, files, domain, types }) => {
  const typehashes = typehashStrings(...files);

  it('define exactly the message types the contract has a TYPEHASH for', () => {
    expect(Object.keys(types).sort()).toEqual(Object.keys(typehashes).sort());
  });

  it.each(Object.keys(types))('%s encodes to the TYPEHASH string of the Solidity source', (name) => {
    expect(encodeType(name, types)).toBe(typehashes[name]);
  });

  it('name the domain the contract passes to EIP712', () => {
    expect({ ...domain }).toEqual(domainOf(`${contract}.sol`));
  });
});
