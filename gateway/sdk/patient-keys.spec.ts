import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { rsaOaepDecrypt, rsaOaepEncrypt } from '../src/crypto/rsa-oaep';
import { createPrivateKey } from 'node:crypto';
import { decryptWithPersonaKey, encryptToPersona, exportPersonaKey, generatePersonaKey, importPersonaKey, newPatientSecret, newPseudonym, PERSONA_KEY_KDF_ITERATIONS } from './patient-keys';
import forge from 'node-forge';

describe('patient keys (SDK)', () => {
  it('makes secrets and pseudonyms of 32 random bytes, never the same twice', () => {
    const made = Array.from({ length: 50 }, () => [newPatientSecret(), newPseudonym()]).flat();
    for (const value of made) expect(value).toMatch(/^0x[0-9a-f]{64}$/);
    expect(new Set(made).size).toBe(made.length);
  });

  it('keeps the persona key as standard encrypted PKCS#8 (PBES2, PBKDF2-HMAC-SHA-256 600,000 times, AES-256-CBC), which opens with the password only', async () => {
    const { privateKey, publicKeyPem } = await generatePersonaKey();
    const pem = await exportPersonaKey(privateKey, 'correct horse battery');
    // PEM of an EncryptedPrivateKeyInfo (PKCS#8): forge reads it as one, or throws.
    expect(() => forge.pki.encryptedPrivateKeyFromPem(pem)).not.toThrow();
    expect(pem).not.toContain(forge.pki.privateKeyToPem(privateKey).split('\n')[1]);
    await expect(importPersonaKey(pem, 'wrong horse battery')).rejects.toThrow('Wrong password');
    const opened = await importPersonaKey(pem, 'correct horse battery');
    expect(decryptWithPersonaKey(opened, encryptToPersona(publicKeyPem, 'round trip'))).toBe('round trip');
    await expect(exportPersonaKey(privateKey, 'short')).rejects.toThrow('at least 12');

    // Standard: OpenSSL (through Node) opens it, and says how it was protected.
    const key = createPrivateKey({ key: pem, passphrase: 'correct horse battery' });
    expect(key.export({ type: 'pkcs1', format: 'pem' })).toBe(forge.pki.privateKeyToPem(privateKey).replace(/\r\n/g, '\n'));
    const algorithm = forge.pki.encryptedPrivateKeyFromPem(pem).value[0] as forge.asn1.Asn1;
    const der = forge.asn1.toDer(algorithm).toHex();
    expect(der).toContain(forge.asn1.integerToDer(PERSONA_KEY_KDF_ITERATIONS).toHex());
    // node-forge's own format (2,048 rounds of SHA-1) is not taken: a file the SDK did not write.
    await expect(importPersonaKey(forge.pki.encryptRsaPrivateKey(privateKey, 'correct horse battery'), 'correct horse battery')).rejects.toThrow('Wrong password');
  });

  it("speaks the gateway's RSA-OAEP (SHA-256, MGF1-SHA-256): node:crypto opens what the SDK seals, and the other way round", async () => {
    const { privateKey, publicKeyPem } = await generatePersonaKey();
    const privatePem = forge.pki.privateKeyToPem(privateKey);
    const pseudonym = newPseudonym();
    expect(rsaOaepDecrypt(privatePem, Buffer.from(encryptToPersona(publicKeyPem, pseudonym), 'base64')).toString()).toBe(pseudonym);
    expect(decryptWithPersonaKey(privateKey, rsaOaepEncrypt(publicKeyPem, Buffer.from(pseudonym)).toString('base64'))).toBe(pseudonym);
  });

  it('refuses to encrypt to an RSA key under 2048 bits', () => {
    const small = forge.pki.rsa.generateKeyPair({ bits: 1024 });
    expect(() => encryptToPersona(forge.pki.publicKeyToPem(small.publicKey), 'x')).toThrow('under 2048 bits');
  });
});

describe('the SDK has no server dependency (it must run in a browser)', () => {
  /** Every file the SDK's entry point reaches through static imports, and the packages they import. */
  function reach(entry: string): { files: string[]; packages: Set<string> } {
    const files: string[] = [];
    const packages = new Set<string>();
    const visit = (file: string) => {
      if (files.includes(file)) return;
      files.push(file);
      for (const [, specifier] of readFileSync(file, 'utf8').matchAll(/^(?:import|export)[^;]*? from '([^']+)'/gm)) {
        if (specifier!.startsWith('.')) visit(`${resolve(dirname(file), specifier!)}.ts`);
        else packages.add(specifier!);
      }
    };
    visit(entry);
    return { files, packages };
  }

  // web3's own packages, not the umbrella `web3`, whose RPC, contract and ENS code a browser
  // bundle would carry for nothing (the portal's script: 1,008 KB with it, 753 KB without).
  it('imports only node-forge, web3\'s ABI, accounts and utility packages, and OpenZeppelin\'s Merkle trees (browser-safe), uses no Node built-in and no Buffer', () => {
    const { files, packages } = reach(join(__dirname, 'index.ts'));
    expect([...packages].sort()).toEqual(['@openzeppelin/merkle-tree', 'node-forge', 'web3-eth-abi', 'web3-eth-accounts', 'web3-types', 'web3-utils']);
    const root = resolve(__dirname, '..', '..');
    const nodeOnly = files.filter((file) => /\bBuffer\b|\bprocess\.|from 'node:/.test(readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '')));
    expect(nodeOnly.map((file) => relative(root, file))).toEqual([]);
  });
});
