import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BFT_MIX_HASH, buildGenesis, findRepoRoot, milestonesFor, readEvmVersion, SUPPORTED_EVM_VERSIONS } from './genesis';

const BLOCK_MILESTONES = [
  'homesteadBlock', 'eip150Block', 'eip155Block', 'eip158Block', 'byzantiumBlock', 'constantinopleBlock',
  'petersburgBlock', 'istanbulBlock', 'berlinBlock', 'londonBlock',
];

describe('genesis milestones', () => {
  it('reads the evmVersion the contracts are compiled with from contracts/compiler.json', () => {
    const compiler = JSON.parse(readFileSync(join(findRepoRoot(), 'contracts', 'compiler.json'), 'utf8')) as { evmVersion: string };
    expect(readEvmVersion()).toBe(compiler.evmVersion);
  });

  it('enables cancun with every earlier milestone at genesis, and nothing later', () => {
    expect(milestonesFor('cancun')).toEqual({
      ...Object.fromEntries(BLOCK_MILESTONES.map((m) => [m, 0])),
      shanghaiTime: 0,
      cancunTime: 0,
    });
  });

  it('stops at the milestone the evmVersion needs', () => {
    expect(milestonesFor('shanghai')).toHaveProperty('shanghaiTime', 0);
    expect(milestonesFor('shanghai')).not.toHaveProperty('cancunTime');
    expect(milestonesFor('paris')).toEqual(milestonesFor('london'));
    expect(Object.keys(milestonesFor('london'))).toEqual(BLOCK_MILESTONES);
    expect(Object.keys(milestonesFor('berlin'))).toEqual(BLOCK_MILESTONES.slice(0, -1));
    expect(Object.keys(milestonesFor('homestead'))).toEqual(['homesteadBlock']);
    for (const version of SUPPORTED_EVM_VERSIONS) expect(Object.values(milestonesFor(version)).every((v) => v === 0)).toBe(true);
  });

  it('refuses an evmVersion it cannot map rather than guessing', () => {
    expect(() => milestonesFor('prague')).toThrow(/prague.*supported: /);
    expect(() => milestonesFor('Cancun')).toThrow(/cannot be mapped/);
  });

  it('has no base fee on the genesis block before London', () => {
    const base = { chainId: 1, consensus: 'qbft' as const, blockPeriodSeconds: 5, validators: ['0x' + '11'.repeat(20)], funded: [] };
    expect(buildGenesis({ ...base, evmVersion: 'berlin' })).not.toHaveProperty('baseFeePerGas');
    const london = buildGenesis({ ...base, evmVersion: 'london' });
    expect(london.baseFeePerGas).toBe('0x0');
    expect(london.config).toHaveProperty('qbft', { blockperiodseconds: 5, epochlength: 30000, requesttimeoutseconds: 10 });
    expect(london.config).not.toHaveProperty('ibft2');
    expect(london.mixHash).toBe(BFT_MIX_HASH);
    expect(london.alloc).toEqual({});
  });
});
