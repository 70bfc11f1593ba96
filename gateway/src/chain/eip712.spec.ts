import { utils } from 'web3';
import { buildTypedData, recoverTypedDataSigner, signTypedData, typedDataDigest } from './eip712';

// The worked example of EIP-712 itself (assets/eip-712/Example.js in ethereum/EIPs): an
// independent vector, computed there with ethereumjs-util and ethereumjs-abi.
const MAIL_TYPES = {
  Person: [
    { name: 'name', type: 'string' },
    { name: 'wallet', type: 'address' },
  ],
  Mail: [
    { name: 'from', type: 'Person' },
    { name: 'to', type: 'Person' },
    { name: 'contents', type: 'string' },
  ],
};
const MAIL_DOMAIN = { name: 'Ether Mail', version: '1', chainId: 1, verifyingContract: '0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC' };
const MAIL_MESSAGE = {
  from: { name: 'Cow', wallet: '0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826' },
  to: { name: 'Bob', wallet: '0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB' },
  contents: 'Hello, Bob!',
};
const MAIL_DIGEST = '0xbe609aee343fb3c4b28e1df9e632fca64fcfaede20f02e86244efddf30957bd2';
// keccak256("cow"); its address is the message's `from.wallet`.
const COW_KEY = utils.keccak256(utils.utf8ToHex('cow'));
const COW_ADDRESS = '0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826';
const COW_R = '4355c47d63924e8a72e509b65029052eb6c299d53a04e167c5775fd466751c9d';
const COW_S = '07299936d304c153f6443dfa05f40ff007d72911b6f72307f996231605b91562';
const COW_V = '1c'; // 28

const mail = (message: Record<string, unknown> = MAIL_MESSAGE) => buildTypedData(MAIL_DOMAIN, 'Mail', MAIL_TYPES, message);

describe('eip712', () => {
  it('computes the digest of the EIP-712 Mail example', () => {
    expect(typedDataDigest(mail())).toBe(MAIL_DIGEST);
  });

  it('changes the digest when any signed field changes', () => {
    expect(typedDataDigest(mail({ ...MAIL_MESSAGE, contents: 'Hello, Bob?' }))).not.toBe(MAIL_DIGEST);
    expect(typedDataDigest(buildTypedData({ ...MAIL_DOMAIN, chainId: 2 }, 'Mail', MAIL_TYPES, MAIL_MESSAGE))).not.toBe(MAIL_DIGEST);
  });

  it("signs the Mail example with the cow key exactly as the EIP's example does (r, s, v = 28)", () => {
    expect(COW_KEY).toBe('0xc85ef7d79691fe79573b1a7064c19c1a9819ebdbd1faaab1a8ec92344438aaf4');

    expect(signTypedData(COW_KEY, mail())).toBe(`0x${COW_R}${COW_S}${COW_V}`);
  });

  it('recovers the signer of a signature, and a different address for other data', () => {
    const signature = signTypedData(COW_KEY, mail());

    expect(recoverTypedDataSigner(mail(), signature)).toBe(COW_ADDRESS);
    expect(recoverTypedDataSigner(mail({ ...MAIL_MESSAGE, contents: 'forged' }), signature)).not.toBe(COW_ADDRESS);
  });

  it('encodes bigint integers as uint256', () => {
    const types = { Ping: [{ name: 'nonce', type: 'uint256' }] };
    const asBigint = buildTypedData(MAIL_DOMAIN, 'Ping', types, { nonce: 2n ** 200n });
    const asString = buildTypedData(MAIL_DOMAIN, 'Ping', types, { nonce: (2n ** 200n).toString() });

    expect(typedDataDigest(asBigint)).toBe(typedDataDigest(asString));
  });

  it('refuses a malformed private key without echoing it', () => {
    expect(() => signTypedData('0x1234secret', mail())).toThrow(/32-byte hex private key/);
    expect(() => signTypedData('0x1234secret', mail())).not.toThrow(/secret/);
  });
});
