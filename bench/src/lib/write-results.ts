import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Writes `<name>.json` (the raw figures) and `<name>.md` (the report) into `dir`, and prints the report. */
export function writeResults(dir: string, name: string, report: unknown, markdown: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${name}.json`), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(dir, `${name}.md`), markdown);
  console.log(markdown);
  console.error(`wrote ${join(dir, `${name}.json`)} and ${name}.md`);
}
