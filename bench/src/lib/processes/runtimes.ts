/** Where a process of the benchmark runs. */
export type Runtime = { readonly name: 'node'; readonly version: string } | { readonly name: 'bun'; readonly version: string; readonly bin: string };

export type RuntimeName = Runtime['name'];

export const NODE_RUNTIME: Runtime = { name: 'node', version: process.version };

export function runtimeLabel(runtime: Runtime | RuntimeName): string {
  const name = typeof runtime === 'string' ? runtime : runtime.name;
  return name === 'node' ? 'Node' : 'Bun';
}
