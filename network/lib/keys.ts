import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { eth, utils } from 'web3';

/** A secp256k1 key pair with the forms Besu and Ethereum tooling use. */
export interface NodeKey {
  /** `0x` + 64 hex digits: what Besu writes to a node's `key` file. */
  privateKey: string;
  /** `0x` + 128 hex digits: the uncompressed point without its 04 prefix, as Besu writes `key.pub`. */
  publicKey: string;
  /** `0x` + 40 lower-case hex digits: last 20 bytes of keccak256(publicKey). */
  address: string;
}

const PRIVATE_KEY = /^(0x)?[0-9a-fA-F]{64}$/;

function addressOf(publicKey: Uint8Array): string {
  return `0x${utils.sha3Raw(publicKey).slice(-40)}`;
}

/**
 * A fresh key pair from node:crypto (OpenSSL's secp256k1: the scalar is always in [1, n-1], so
 * there is no rejection loop to get wrong). JWK gives the fixed-length big-endian coordinates.
 */
export function generateNodeKey(): NodeKey {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'secp256k1' });
  const jwk = privateKey.export({ format: 'jwk' });
  if (!jwk.d || !jwk.x || !jwk.y) throw new Error('secp256k1 JWK export is missing a component');
  const d = Buffer.from(jwk.d, 'base64url');
  const point = Buffer.concat([Buffer.from(jwk.x, 'base64url'), Buffer.from(jwk.y, 'base64url')]);
  if (d.length !== 32 || point.length !== 64) throw new Error('Unexpected secp256k1 key length');
  return { privateKey: `0x${d.toString('hex')}`, publicKey: `0x${point.toString('hex')}`, address: addressOf(point) };
}

/** The key pair of an existing private key (Besu's `key` file content, with or without 0x). */
export function nodeKeyFromPrivate(privateKey: string): NodeKey {
  const trimmed = privateKey.trim();
  if (!PRIVATE_KEY.test(trimmed)) throw new Error('A private key is 32 bytes of hex');
  const hex = trimmed.startsWith('0x') ? trimmed : `0x${trimmed}`;
  // web3 returns the uncompressed point as 0x-hex without the 04 prefix (64 bytes).
  const publicKey = eth.accounts.privateKeyToPublicKey(hex, false).toLowerCase();
  return { privateKey: hex.toLowerCase(), publicKey, address: addressOf(utils.hexToBytes(publicKey)) };
}

/** Default RLPx port; every container listens on it inside its own network namespace. */
export const P2P_PORT = 30303;

/**
 * enode URL of a node: its public key without 0x, at an IPv4 address. Besu resolves no host names
 * unless its hidden early-access DNS options are on (`Xdns-*`), so the generator never relies on them.
 */
export function enodeUrl(publicKey: string, ip: string, port = P2P_PORT): string {
  if (!/^0x[0-9a-f]{128}$/.test(publicKey)) throw new Error('An enode id is a 64-byte public key');
  if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(ip)) throw new Error(`An enode host is an IPv4 address, got "${ip}"`);
  return `enode://${publicKey.slice(2)}@${ip}:${port}`;
}

/**
 * A private IPFS swarm key (libp2p pre-shared key, format "/key/swarm/psk/1.0.0/"): Kubo nodes
 * only talk to peers holding the same 32 random bytes. docker-compose.yml mounts it into Kubo.
 */
export function ipfsSwarmKey(): string {
  return `/key/swarm/psk/1.0.0/\n/base16/\n${randomBytes(32).toString('hex')}\n`;
}
