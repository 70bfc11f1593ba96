import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateKeyPairSync, publicEncrypt } from 'node:crypto';
import forge from 'node-forge';
import { DecryptionError } from './decryption-error';
import { rsaOaepDecrypt, rsaOaepEncrypt } from './rsa-oaep';

// Project Wycheproof, testvectors_v1/rsa_oaep_2048_sha256_mgf1sha256_test.json (C2SP/wycheproof
// at dac1dd47): the group's private key (a published test key, in test/fixtures) and some of its
// empty-label cases, by tcId.
const WYCHEPROOF_KEY = readFileSync(join(__dirname, '../../../test/fixtures/wycheproof-rsa-oaep-2048-sha256.pem'), 'utf8');

const WYCHEPROOF_VALID = [
  { tcId: 1, comment: 'normal', msg: '', ct: '6e62bf24d95aff6868afec2a92a445b6458f16f688c19fe1212f66a63137831653cedd359d8cff4dd485d77dfd55812c181373201f54aafd65730d2a304e623455d51125d891e65d97fce52341cae45fb64c38a384a1c621e2713ee6794633f029a9fd4d774f56551eac2176162e162640f25eab873a3451c475570f19228bcede4c67c370a75ed7fabccd538c9819eff182481b10d42f1a9f6a05373b8cf9b71818d467bd3b8ebacb619e8ad42916e600c043effceb3855bc48a629e60ae886f51b2a7876b0e623fb2ce68af4b039242f963adb0e4240aed0ed07f65f1ee7c0cc77d210d0c2d1dc10c81b881aa0c9c9e9499665cf2970d2ccfeeb3191531765' },
  { tcId: 3, comment: 'normal', msg: '54657374', ct: '5eab3f0741e63986ed647d53e1cd71df041986900803d0f99c68355d249a15a47dc5b4f70a191477654299e5a2731f3b4eec76dea18262fc696ac794e5f66cbfcddac4472c578e246c26707598055584540b839836b1404c5611ae558a984cee8fd036cea924e0be2474a940f61e0acc14fcae95ebdc59942a9ce9af9a9c81999f7f6815f057ffdc2533cb15d6391d1e2d95f16f9c04209c889a4c359c7d2926d28a66e2b030a416b928d2825627998e5191fb4983a6e65024262d94fc09187a2d78162122433251d1bfcc8e507d06eba2d229c10031261da32ab8ccd15f1c5f9fbf07ed158483d736a110af4b44d6a4da60d6cb519b4454213cf9f0dc560f2b' },
  { tcId: 5, comment: 'normal', msg: '4d657373616765', ct: '121196e51a3f4476bfb6adddfdeb3a25dad72d1ea315d652f331a43631ad36724b3d14532110dc44e407b1184618f115677b33751fb0e8786ba220cfa7fc3fce22822eabdd4fc2761c7f34a04e8f13c1021c31adc123a32d871f0da6cdacab9c020222da52afd5c307a6e55e4566944403fda426ee2c6c973ccaaafe2d081ed8c5b1dc00662424e395faed86c9ae19a3a95950c83d2a9ad5c7e7f670faeb123acef07fe7795ad298aafe543504d7811336b3e2ecb1622bc90599a185b34700f8f4c52a651d73ea57e8cfa80e61d9da61f36951c7194ae4dee3c6e67b5757a39685dd3fe01cb87620a54666ff8132e93d7081d38ddc9f079431075e96cca78f59' },
  { tcId: 11, comment: 'Longest valid message size', msg: '78787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878', ct: '7efb69f1137d6a6e813b7ab75bf0400b3d07a442b88ab048675dc06b0215fc1a2e033263ec31a6c1d2eac56cb0470d69022a48131d1f000bbed70586b80cf6356465c8834daced7ea2a5ff8ef9c44d5ab828ffbf0556a6394752a4a28a70cae20084e1236f042f6c29de5cb34ef73acba5abcc7ccb3a26342701df3b9daa945d9fa5bf0b9b10306655e56370183f50fb8321f8f0cd1c72114791fca5df2166296b509b01a0b291c46110787cebe69d41b3b1e89590bc2f5e5d49ea24ae0f1207eef1aee54b9760553e80c5506a8a8a75732e92875025f0bfd5ead71e4340c8a9fa16dcd5a7dc96d8c4a7dc4e91f47a69366445c4695c8bad578ffe52bb672f65' },
  { tcId: 21, comment: 'seed is all 0', msg: '313233343030', ct: '8e5f01ff0c1775870715fd0366a8748531f8b00803df35e0e2308db63bbec4eca4e093351876b794213b904e5dde284a82d74abfcbfff94bc9a8300bea99edd07fe97d6e0b11219f85ac15acc404d37d3da16819a14a438f3f72f8178b312526232386e918a8a7e11fc38f4668c499a00480cf9d2d75aabc0198d3ba9ba345fba9105c6564df5f6ce796f14100d186abffe4d83d57969c1caddc7c7aa340b4d1bab23d9b3982278328ddebe648f5c52588738f3c56a88b3f34c890c03fafc27f485a17677a53e974dc1dd86f463a927f4328ac51bbc61705ae8abd7f45628957489e2defd8e043b955b118fb2a1c407d45893004aae0f945f06add1e45b41a03' },
];

const WYCHEPROOF_INVALID = [
  { tcId: 12, comment: 'first byte of l_hash modified', ct: '287d7108a1c6e7a18acb0045b20c57cdf2ac03456b44942764a7a9e9fdf3db481d7e202e4c8d733b56b9c1e93d71e791af8325c9363df789b252a5ed0eddc79e76fa41c2cb0a35618398217a390a5e6d99eed905d5554d19c1cf4e30bdf1c2fcc5148b641d71b3f1977b63d232648ddd935ec9499a53ac2fbcac55f462e91065adaa018a39c453ba759bd68b454074153421e2ce75cf149f748b5b84758df8a423d1c50c880af863f2a6df3cd465ca36aa2152b5771f3d507f4a4dd9f8006d80eca23537092287976f218a90df1e16d889fe31e79f7309f3224f613e9b52479fe73b7aad915319a3b62a5936649f7d015d7b09f7fa9f454f78a7c3dd4bf791e0' },
  { tcId: 16, comment: 'first byte of ps modified', ct: '52582e10264630e1584155f5e970b8eda9108a87370861cda12ee773411cf556db328c8a2a165d10f6f969ac61b170a75975fbdf9319d13c9535f30d621db19e41da3a04fe40874caf779c8f03bd5d1892e52925b183c118446ed9a335e9c1dc4519fb1253215e5f8d8ee6d49c0167af9d5ca5b1ace067af573e0be9a61beeccdac37b0e54f6b0f70576cb8a400d01136357a8576e81c119d3dd91c7b5cb343692a810362e1e6dc06c1746e071a903a2856b4446f10f78c670d617e5e24dc5c0e45caafbf8ffc4af6b3ef998fe1bfb59aacb16d98d7e389679939861a6722c4e29af731da99d17058d7a12ead0d3d576de796ad2ad596feada4c091f10748536' },
  { tcId: 23, comment: 'First byte is 1', ct: '3f92a694661cae336cac7a3c5a6f67e0655d10218a64459739ab9664f2cec58978939512df621e6b92fe3429bb22c08b5103da648a7719e7e95a04e6b61601546955825d60f4c517619f851780ad17f1b8a955cf8c7f1a5e26ca4a0cc19cca751d0790d56e1140a4705e19274f638b7c16d9d3e423a7f787d02699235e3e9e4d543a954f9b1bce5411c8ebdcae86a4bb86c66818a0bab51a2b00383b318e53d95508bab1b19e388cd5a03cdceba0f7176c1782e19ef62cff69352d444b1ce0e1f339e96d8a65c07aa37f5f2cf33867f6c496e0da6cd79b3e2183b57064ce21a1b92072702e555a82cad75107fdfd8bd5e7ea5f119cfbbc1770e962fd0b781aff' },
  { tcId: 27, comment: 'added n to c', ct: 'b056e2513c7c470d897032d406e97b5946dcad52df1c1650d61a1d7b0af59e8cfaec4d9e834d06d819b92a7d440d277e5039ab8aeff25043e98b281ae6ce0a91f8dfbbd1b4998fe5481671381b6a3952448b617ae606f06a0143561a040edaf3c972e611bd7cb814aa4761d38e4a007ca65af8fde6eb25d919d8bd9273cca7622984aa27994d049612424547775c5df75483962143522d075b8c55ea61b04583eb4c0358f9fbb902dedff30b7d8592b57094df4f6345668af53d1aea86fb36dd69b4434bacf8fc12c13802f5b03551ba8f207d4060a9f56e6b7e18c766eb82b6ce6ee0747fbe785c3c1c25fe7fb87de50032b172129fa41a69c3ce0e777ef10f' },
  { tcId: 29, comment: 'ciphertext is empty', ct: '' },
  { tcId: 31, comment: 'appended bytes to ciphertext', ct: '0da290b0bf71a1141b2adc62b5b42b07fc52520cb05d1f39ccca7b7c22d379a6c2f2d93143d057050140527a1e5638243938b531ec3de7014b0151301e49b9fa433482a02abdfd94193dc9c70157e557776a69ded01ecbeac405133595c61165a428b6284729a4746b47d2bbaca9d7432c3b5693591cfee488eb3c68ddb6cde0dd61cfc6952423f994abecee34f5683732b29934a2c498ad48cdd30c149177189f48eefd9cc7232df18be11ff5f7e3af7319e3115997c599e2d8f7f4f663dcc40032d403436d3058a5ea66473660f0e195281ec6eba997d2a951ca6ca5f3c112715c89da1d3dfb20a21940594ed10ade90ed7452b753757d7241cb8a803c373a0000' },
];

const SHA256 = () => ({ md: forge.md.sha256.create(), mgf1: { md: forge.md.sha256.create() } });
const binary = (bytes: Uint8Array) => Buffer.from(bytes).toString('binary');

describe('RSA-OAEP (SHA-256, MGF1-SHA-256)', () => {
  const node = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const pseudonym = Buffer.from('psn_3f9a1c0e7b2d4f6a8c1e3b5d7f9a2c4e');

  it.each(WYCHEPROOF_VALID)('decrypts Wycheproof tcId $tcId ($comment)', ({ msg, ct }) => {
    expect(rsaOaepDecrypt(WYCHEPROOF_KEY, Buffer.from(ct, 'hex')).toString('hex')).toBe(msg);
  });

  it.each(WYCHEPROOF_INVALID)('refuses Wycheproof tcId $tcId ($comment) with the one decryption error', ({ ct }) => {
    expect(() => rsaOaepDecrypt(WYCHEPROOF_KEY, Buffer.from(ct, 'hex'))).toThrow(DecryptionError);
  });

  it('round-trips and is randomised, so equal pseudonyms do not give equal ciphertexts', () => {
    const first = rsaOaepEncrypt(node.publicKey, pseudonym);
    expect(first).toHaveLength(256);
    expect(first).not.toEqual(rsaOaepEncrypt(node.publicKey, pseudonym));
    expect(rsaOaepDecrypt(node.privateKey, first)).toEqual(pseudonym);
  });

  it('decrypts what node-forge encrypts with SHA-256 and MGF1-SHA-256 (the patient SDK)', () => {
    const ciphertext = forge.pki.publicKeyFromPem(node.publicKey).encrypt(binary(pseudonym), 'RSA-OAEP', SHA256());
    expect(rsaOaepDecrypt(node.privateKey, Buffer.from(ciphertext, 'binary'))).toEqual(pseudonym);
  });

  it('encrypts what node-forge decrypts with SHA-256 and MGF1-SHA-256', () => {
    const ciphertext = rsaOaepEncrypt(node.publicKey, pseudonym);
    expect(forge.pki.privateKeyFromPem(node.privateKey).decrypt(binary(ciphertext), 'RSA-OAEP', SHA256())).toBe(binary(pseudonym));
  });

  it('works with a key pair node-forge made and wrote as PEM, both ways', () => {
    const pair = forge.pki.rsa.generateKeyPair({ bits: 2048, e: 0x10001 });
    const publicPem = forge.pki.publicKeyToPem(pair.publicKey);
    const privatePem = forge.pki.privateKeyToPem(pair.privateKey);
    const fromForge = pair.publicKey.encrypt(binary(pseudonym), 'RSA-OAEP', SHA256());
    expect(rsaOaepDecrypt(privatePem, Buffer.from(fromForge, 'binary'))).toEqual(pseudonym);
    expect(pair.privateKey.decrypt(binary(rsaOaepEncrypt(publicPem, pseudonym)), 'RSA-OAEP', SHA256())).toBe(binary(pseudonym));
  });

  it("refuses node's default SHA-1 OAEP and forge's default SHA-1, so the hash cannot silently differ", () => {
    const nodeSha1 = publicEncrypt(node.publicKey, pseudonym);
    const forgeSha1 = forge.pki.publicKeyFromPem(node.publicKey).encrypt(binary(pseudonym), 'RSA-OAEP');
    expect(() => rsaOaepDecrypt(node.privateKey, nodeSha1)).toThrow(DecryptionError);
    expect(() => rsaOaepDecrypt(node.privateKey, Buffer.from(forgeSha1, 'binary'))).toThrow(DecryptionError);
  });

  it('refuses a ciphertext for another key, with a message that quotes nothing', () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const ciphertext = rsaOaepEncrypt(node.publicKey, pseudonym);
    const otherPem = other.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(() => rsaOaepDecrypt(otherPem, ciphertext)).toThrow(/^RSA-OAEP ciphertext could not be decrypted: wrong key, wrong context, or altered data$/);
  });

  it('refuses RSA keys under 2048 bits on both sides', () => {
    const small = generateKeyPairSync('rsa', {
      modulusLength: 1024,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    expect(() => rsaOaepEncrypt(small.publicKey, pseudonym)).toThrow('RSA keys under 2048 bits are refused; this public key has 1024');
    const ciphertext = publicEncrypt({ key: small.publicKey, oaepHash: 'sha256' }, pseudonym);
    expect(() => rsaOaepDecrypt(small.privateKey, ciphertext)).toThrow('this private key has 1024');
  });

  it('refuses keys that are not RSA, and PEM it cannot read, without quoting it', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256', publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
    expect(() => rsaOaepEncrypt(ec.publicKey, pseudonym)).toThrow('RSA-OAEP needs an RSA public key, got ec');
    const garbled = node.privateKey.replace(/[A-Z]{10}/, 'AAAAAAAAAA').slice(0, 400);
    expect(() => rsaOaepDecrypt(garbled, Buffer.alloc(256))).toThrow(/^Not a readable private key in PEM$/);
  });
});
