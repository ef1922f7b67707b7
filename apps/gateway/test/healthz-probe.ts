import { type ChildProcess, spawn } from 'node:child_process';

/** What a probe saw: how many /healthz answers, the slowest, and any that were not 200. */
export interface ProbeReport {
  readonly probes: number;
  readonly slowestMs: number;
  readonly failures: string[];
}

// Runs in its own Node process, so what it measures is the gateway, not the test's own event loop
// (busy sending the uploads).
const SCRIPT = `
const url = process.argv[1];
let running = true, probes = 0, slowestMs = 0; const failures = [];
process.stdin.on('data', () => { running = false; });
(async () => {
  while (running) {
    const started = performance.now();
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(10000) });
      await response.arrayBuffer();
      if (response.status !== 200) failures.push('status ' + response.status);
    } catch (error) { failures.push(String(error)); }
    slowestMs = Math.max(slowestMs, performance.now() - started);
    probes++;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  process.stdout.write(JSON.stringify({ probes, slowestMs, failures }));
  process.exit(0);
})();
`;

/** Starts probing GET `url` every 25 ms from a separate process; `stop()` resolves with its report. */
export function startHealthzProbe(url: string): { stop: () => Promise<ProbeReport> } {
  const child: ChildProcess = spawn(process.execPath, ['-e', SCRIPT, url], { stdio: ['pipe', 'pipe', 'inherit'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    async stop() {
      child.stdin?.write('stop\n');
      await exited;
      return JSON.parse(output) as ProbeReport;
    },
  };
}
