import { ALLOWED_GROWTH, GasReport, GasRow, REGENERATE_COMMAND, compareWithCommitted, measureGas, readCommittedReport } from '../../bench/gas';

// Gas is what bounds the chain's throughput: an operation that grows past the committed table
// (bench/gas-report.json) fails here, naming it. Targets are shown in bench/GAS.md, not asserted.
describe('gas per operation (bench/gas-report.json)', () => {
  let committed: GasReport;
  let measured: GasRow[];

  beforeAll(async () => {
    committed = readCommittedReport();
    measured = await measureGas();
  });

  it(`grows no operation more than ${ALLOWED_GROWTH * 100}% over the committed report, and measures exactly its operations`, () => {
    const problems = compareWithCommitted(committed, measured);

    expect({ problems, fix: problems.length > 0 ? `if intended: ${REGENERATE_COMMAND}` : undefined }).toEqual({ problems: [], fix: undefined });
  });

  it('measures the same gas on every fresh chain', async () => {
    const again = await measureGas();

    expect(again.map(({ operation, txGas }) => [operation, txGas])).toEqual(measured.map(({ operation, txGas }) => [operation, txGas]));
  });
});

describe(compareWithCommitted.name, () => {
  const row = (operation: string, gas: number): GasRow => ({ operation, per: 'entry', batchSize: 1, gas, txGas: gas });
  const report = (...rows: GasRow[]): GasReport => ({
    regenerate: '',
    solcVersion: '',
    evmVersion: '',
    operations: Object.fromEntries(rows.map(({ operation, ...rest }) => [operation, rest])),
  });

  it('accepts growth up to 10% and any saving, and names an operation that grew more', () => {
    const committed = report(row('A.f', 1000), row('B.g', 1000), row('C.h', 1000));

    const problems = compareWithCommitted(committed, [row('A.f', 1100), row('B.g', 1101), row('C.h', 500)]);

    expect(problems).toEqual(['B.g: 1101 gas per entry, 10.1% over the committed 1000 (allowed: 10%)']);
  });

  it('names operations measured but not committed, and committed but no longer measured', () => {
    const problems = compareWithCommitted(report(row('Old.f', 1000)), [row('New.f', 1000)]);

    expect(problems).toEqual([
      'Old.f: in bench/gas-report.json but no longer measured; regenerate the report',
      'New.f: measured but not in bench/gas-report.json; regenerate the report',
    ]);
  });
});
