/**
 * Reading the Docker packaging without a Docker engine: a minimal Dockerfile parser and Docker's
 * .dockerignore matching, shared by the static checks (compose-files.test.ts) and the replayed
 * image builds (docker-build.test.ts).
 */
import path from 'node:path';

// Dockerfiles: a minimal parser (comments, line continuations, stages, ARG defaults)

export interface Instruction {
  keyword: string;
  args: string;
  line: number;
}

export interface Stage {
  name: string | undefined;
  image: string;
  instructions: Instruction[];
}

export function parseDockerfile(text: string): { globalArgs: Record<string, string>; stages: Stage[]; all: Instruction[] } {
  const all: Instruction[] = [];
  let pending = '';
  let startLine = 0;
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (line.startsWith('#')) return; // comments and parser directives, also inside a continuation
    if (line === '') return;
    if (pending === '') startLine = index + 1;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      return;
    }
    pending += line;
    const match = /^(\S+)\s*([\s\S]*)$/.exec(pending);
    if (match) all.push({ keyword: (match[1] ?? '').toUpperCase(), args: match[2] ?? '', line: startLine });
    pending = '';
  });
  if (pending !== '') throw new Error('the Dockerfile ends inside a line continuation');

  const globalArgs: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const instruction of all) {
    if (instruction.keyword === 'FROM') {
      const words = instruction.args.split(/\s+/).filter((word) => !word.startsWith('--'));
      const image = (words[0] ?? '').replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (_, name: string) => globalArgs[name] ?? '');
      const name = words[1]?.toUpperCase() === 'AS' ? words[2] : undefined;
      stages.push({ name, image, instructions: [] });
    } else if (stages.length === 0) {
      if (instruction.keyword !== 'ARG') throw new Error(`line ${instruction.line}: ${instruction.keyword} before the first FROM`);
      const [name = '', value = ''] = instruction.args.split('=');
      globalArgs[name.trim()] = value.trim();
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return { globalArgs, stages, all };
}

/** ARG defaults declared in a stage (`ARG NAME=value`). */
export function stageArgs(stage: Stage): Record<string, string> {
  const args: Record<string, string> = {};
  for (const { keyword, args: text } of stage.instructions) {
    if (keyword !== 'ARG') continue;
    const [name = '', value = ''] = text.split('=');
    args[name.trim()] = value.trim();
  }
  return args;
}

export function substitute(text: string, args: Record<string, string>): string {
  return text.replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (match, name: string) => args[name] ?? match);
}

export function copyParts(args: string): { from: string | undefined; sources: string[]; destination: string } {
  const words = args.split(/\s+/);
  const from = words.find((word) => word.startsWith('--from='))?.slice('--from='.length);
  const paths = words.filter((word) => !word.startsWith('--'));
  return { from, sources: paths.slice(0, -1), destination: paths.at(-1) ?? '' };
}

// ---------------------------------------------------------------------------------------------
// .dockerignore: Docker's matching (a pattern excludes a path or any folder above it; `!` re-includes)

export function dockerignoreMatcher(text: string): (file: string) => boolean {
  const rules = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const negate = line.startsWith('!');
      const pattern = path.posix.normalize((negate ? line.slice(1) : line).replace(/^\/+/, '')).replace(/\/+$/, '');
      let source = '';
      for (let i = 0; i < pattern.length; i += 1) {
        const char = pattern[i] ?? '';
        if (char === '*' && pattern[i + 1] === '*') {
          const slash = pattern[i + 2] === '/';
          source += slash ? '(?:.*/)?' : '.*';
          i += slash ? 2 : 1;
        } else if (char === '*') source += '[^/]*';
        else if (char === '?') source += '[^/]';
        else source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
      }
      return { negate, regex: new RegExp(`^${source}$`) };
    });
  return (file) => {
    const parts = file.split('/');
    const prefixes = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
    let excluded = false;
    for (const rule of rules) {
      if (prefixes.some((prefix) => rule.regex.test(prefix))) excluded = !rule.negate;
    }
    return excluded;
  };
}
