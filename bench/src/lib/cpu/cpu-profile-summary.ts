// Where a process's CPU time went, from a V8 .cpuprofile (BENCH_CPU_PROFILE_DIR writes them):
//   node --import tsx bench/src/lib/cpu/cpu-profile-summary.ts <file.cpuprofile> [top=20] [from-s=0] [to-s=end]
// `from` and `to` (seconds since the profile started) keep only that window, e.g. a measured run
// rather than start-up.
import { readFileSync } from 'node:fs';
import { argv } from 'node:process';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** Who a frame belongs to: a package, a workspace folder, Node itself, or V8's pseudo-frames. */
function owner(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return 'node internals';
  const pkg = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg?.[1]) return pkg[1];
  const workspace = /\/((?:apps|packages)\/[^/]+|bench)\//.exec(url);
  return workspace?.[1] ?? url;
}

function frameName(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const file = url.replace(/^.*\/(node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?)?/, '');
  return `${functionName || '(anonymous)'} ${file ? `${file}:${lineNumber + 1}` : ''}`.trim();
}

function table(title: string, totals: Map<string, number>, all: number, top: number): string {
  const rows = [...totals].sort((a, b) => b[1] - a[1]).slice(0, top);
  return [title, ...rows.map(([name, us]) => `${((100 * us) / all).toFixed(1).padStart(5)} %  ${(us / 1000).toFixed(0).padStart(7)} ms  ${name}`)].join('\n');
}

export function summarize(profile: CpuProfile, top: number, fromSeconds = 0, toSeconds = Number.POSITIVE_INFINITY): string {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const self = new Map<string, number>();
  const owners = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let all = 0;
  let idle = 0;
  let elapsed = 0;
  profile.samples.forEach((id, index) => {
    const delta = profile.timeDeltas[index] ?? 0;
    elapsed += delta;
    const node = byId.get(id);
    if (!node || elapsed < fromSeconds * 1e6 || elapsed > toSeconds * 1e6) return;
    all += delta;
    if (node.callFrame.functionName === '(idle)') idle += delta;
    const name = frameName(node);
    self.set(name, (self.get(name) ?? 0) + delta);
    const who = owner(node.callFrame.url, node.callFrame.functionName);
    owners.set(who, (owners.get(who) ?? 0) + delta);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at);
      if (frame && frame.callFrame.url !== '') seen.add(frameName(frame));
    }
    for (const frame of seen) inclusive.set(frame, (inclusive.get(frame) ?? 0) + delta);
  });
  return [
    `profiled ${(all / 1e6).toFixed(1)} s, of which idle ${(idle / 1e6).toFixed(1)} s (${((100 * idle) / all).toFixed(0)} %)`,
    table('\nself time by owner:', owners, all, top),
    table('\nself time by function:', self, all, top),
    table('\ninclusive time by function (JS frames):', inclusive, all, top),
  ].join('\n');
}

const [file, top = '20', from = '0', to] = argv.slice(2);
if (!file) {
  console.error('usage: node --import tsx bench/src/lib/cpu/cpu-profile-summary.ts <file.cpuprofile> [top] [from-s] [to-s]');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
console.log(summarize(profile, Number(top), Number(from), to === undefined ? Number.POSITIVE_INFINITY : Number(to)));
