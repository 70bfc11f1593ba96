/** The id of a record on chain: its uuid's 16 bytes, right-padded to bytes32 (no Node built-in: the SDK uses it in browsers). */
export const recordIdOnChain = (uuid: string): string => `0x${uuid.replace(/-/g, '').toLowerCase()}${'0'.repeat(32)}`;
