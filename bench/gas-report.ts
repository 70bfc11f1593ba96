// Writes bench/gas-report.json and bench/GAS.md from a fresh measurement.
// Run (from the repository root): see REGENERATE_COMMAND in bench/gas.ts, also printed in bench/GAS.md.
import { writeFileSync } from 'node:fs';
import { measureGas, reportPaths, toMarkdown, toReport } from './gas';

async function main(): Promise<void> {
  const report = toReport(await measureGas());
  const paths = reportPaths();
  writeFileSync(paths.json, `${JSON.stringify(report, null, 2)}\n`);
  const markdown = toMarkdown(report);
  writeFileSync(paths.markdown, markdown);
  process.stdout.write(markdown);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
