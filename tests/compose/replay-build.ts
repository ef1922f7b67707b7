/**
 * An image build replayed without a Docker engine: the build stage's WORKDIR, ARG, ENV, COPY and
 * RUN instructions run on this machine, in a temporary folder standing for the image's file
 * system, with a HOME, npm prefix and pnpm store of their own (empty, as in a fresh image); the
 * runtime stage's `COPY --from` then takes what it names into a second, empty folder, and the
 * build's folder and store are deleted, so the result holds only what the image would.
 *
 * Absolute paths in the Dockerfile (`/repo`, `/out`, `/app/gateway`) are taken below the folder of
 * their stage. The base image's own content (node, npm) is this machine's.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startProcess } from '@ddup/test-utils';
import { copyParts, dockerignoreMatcher, parseDockerfile, stageArgs, substitute } from './dockerfile.ts';

/** What the built image would run: its CMD, in its WORKDIR, with its ENV. */
export interface BuiltImage {
  /** The runtime stage's WORKDIR, below `runtimeRoot`. */
  readonly workdir: string;
  readonly runtimeRoot: string;
  readonly env: Readonly<Record<string, string>>;
  /** CMD, exec form. */
  readonly cmd: readonly string[];
  /** HEALTHCHECK's CMD, exec form, if the image has one. */
  readonly healthcheck: readonly string[] | undefined;
  /** Every command the build ran, with its output, for failure messages. */
  readonly log: string;
}

/** The build context's files (relative paths), as .dockerignore leaves them. */
function contextFiles(contextDir: string): string[] {
  const ignored = dockerignoreMatcher(readFileSync(path.join(contextDir, '.dockerignore'), 'utf8'));
  const files: string[] = [];
  const walk = (relative: string) => {
    for (const name of readdirSync(path.join(contextDir, relative))) {
      const child = relative === '' ? name : `${relative}/${name}`;
      if (ignored(child)) continue;
      if (statSync(path.join(contextDir, child)).isDirectory()) walk(child);
      else files.push(child);
    }
  };
  walk('');
  return files;
}

/** A stage being replayed: the folder standing for its file system, its WORKDIR and its ENV. */
class StageFiles {
  workdir: string;
  constructor(
    readonly root: string,
    readonly env: Record<string, string>,
  ) {
    this.workdir = root;
    mkdirSync(root, { recursive: true });
  }

  /** An absolute path of the image below the stage's folder; a relative one below WORKDIR. */
  at(target: string): string {
    return target.startsWith('/') ? path.join(this.root, target) : path.join(this.workdir, target);
  }

  /** Applies WORKDIR and ENV; false for any other instruction. */
  apply(keyword: string, text: string): boolean {
    if (keyword === 'WORKDIR') {
      this.workdir = this.at(text);
      mkdirSync(this.workdir, { recursive: true });
    } else if (keyword === 'ENV') Object.assign(this.env, envPairs(text));
    else return false;
    return true;
  }
}

/** Docker's COPY from the build context: `.` is the whole context; a file lands in a folder destination under its own name. */
function copyFromContext(contextDir: string, files: readonly string[], sources: readonly string[], destination: string): void {
  const intoFolder = destination.endsWith('/') || sources.length > 1 || sources.includes('.');
  for (const source of sources) {
    const normalized = path.posix.normalize(source).replace(/\/$/, '');
    const matching = normalized === '.' ? files : files.filter((file) => file === normalized || file.startsWith(`${normalized}/`));
    if (matching.length === 0) throw new Error(`COPY ${source}: not in the build context (missing, or left out by .dockerignore)`);
    for (const file of matching) {
      let target: string;
      if (normalized === '.') target = path.join(destination, file);
      else if (file === normalized) target = intoFolder ? path.join(destination, path.basename(file)) : destination;
      else target = path.join(destination, path.posix.relative(normalized, file)); // a folder's content
      mkdirSync(path.dirname(target), { recursive: true });
      cpSync(path.join(contextDir, file), target);
    }
  }
}

/** An exec-form instruction argument (`["node", "-e", "..."]`), after HEALTHCHECK's options. */
function execForm(text: string): string[] {
  const json = text.slice(text.indexOf('['));
  const words = JSON.parse(json) as unknown;
  if (!Array.isArray(words) || !words.every((word) => typeof word === 'string')) throw new Error(`not an exec form: ${text}`);
  return words;
}

/** ENV's `NAME=value NAME=value` form. */
function envPairs(text: string): Record<string, string> {
  const pairs = text.split(/\s+/).map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)] as const);
  return Object.fromEntries(pairs.filter(([name]) => name !== ''));
}

/** The environment of a command the build runs: nothing of this machine's npm or pnpm settings, HOME and caches in `home`. */
function buildEnvironment(home: string, prefix: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value === undefined || /^(npm_|pnpm_|PNPM_|XDG_|NODE_OPTIONS$|VITEST)/i.test(name)) continue;
    env[name] = value;
  }
  return {
    ...env,
    HOME: home,
    XDG_CACHE_HOME: path.join(home, '.cache'),
    XDG_DATA_HOME: path.join(home, '.local/share'),
    XDG_CONFIG_HOME: path.join(home, '.config'),
    XDG_STATE_HOME: path.join(home, '.local/state'),
    // `npm install --global` installs here (the image's /usr/local), and the build finds pnpm here.
    npm_config_prefix: prefix,
    PATH: `${path.join(prefix, 'bin')}${path.delimiter}${process.env.PATH ?? ''}`,
  };
}

async function run(command: string, cwd: string, env: Record<string, string>): Promise<string> {
  const child = startProcess('sh', ['-c', command], { cwd, env });
  const code = await child.exited;
  const output = `$ ${command}\n${child.output()}`;
  if (code !== 0) throw new Error(`the build failed (exit ${code}):\n${output}`);
  return output;
}

/**
 * Replays `dockerfile` (build context `contextDir`) in a new temporary folder. The pnpm store is
 * `<folder>/build/home/.local/share/pnpm/store` (pnpm's default for that HOME), empty at the start.
 */
export async function replayBuild(contextDir: string, dockerfile: string): Promise<BuiltImage> {
  const { stages } = parseDockerfile(readFileSync(path.join(contextDir, dockerfile), 'utf8'));
  const build = stages[0];
  const runtime = stages.at(-1);
  if (!build || !runtime || build === runtime) throw new Error(`${dockerfile}: expected a build stage and a runtime stage`);
  const folder = mkdtempSync(path.join(tmpdir(), 'ddup-image-build-'));
  const buildRoot = path.join(folder, 'build');
  const home = path.join(buildRoot, 'home');
  mkdirSync(home, { recursive: true });
  const files = contextFiles(contextDir);
  const stage = new StageFiles(buildRoot, buildEnvironment(home, path.join(buildRoot, 'usr/local')));
  const args = stageArgs(build);
  let log = '';
  for (const { keyword, args: text } of build.instructions) {
    const expanded = substitute(text, { ...args, ...stage.env });
    if (stage.apply(keyword, expanded)) continue;
    if (keyword === 'COPY') {
      const { from, sources, destination } = copyParts(expanded);
      if (from !== undefined) throw new Error(`${dockerfile}: COPY --from in the build stage is not replayed`);
      copyFromContext(contextDir, files, sources, stage.at(destination) + (destination.endsWith('/') ? '/' : ''));
    } else if (keyword === 'RUN') {
      // Absolute paths of the image (`/out`) below the stage's folder.
      log += await run(expanded.replace(/(^|\s)\/(?=\w)/g, `$1${buildRoot}/`), stage.workdir, stage.env);
    }
  }

  // The runtime stage: a fresh file system holding only what COPY --from=<build> takes.
  const image = new StageFiles(path.join(folder, 'runtime'), {});
  let cmd: string[] = [];
  let healthcheck: string[] | undefined;
  for (const { keyword, args: text } of runtime.instructions) {
    if (image.apply(keyword, text)) continue;
    if (keyword === 'COPY') {
      const { from, sources, destination } = copyParts(text);
      if (from !== build.name) throw new Error(`${dockerfile}: the runtime stage copies from ${from ?? 'the build context'}`);
      const target = image.at(destination);
      for (const source of sources) {
        rmSync(target, { recursive: true, force: true });
        mkdirSync(path.dirname(target), { recursive: true });
        // A move, not a copy: a link still pointing into the build stage breaks, as it would in the image.
        renameSync(stage.at(source), target);
      }
    } else if (keyword === 'CMD') cmd = execForm(text);
    else if (keyword === 'HEALTHCHECK') healthcheck = execForm(text);
  }
  rmSync(buildRoot, { recursive: true, force: true });
  return { workdir: image.workdir, runtimeRoot: image.root, env: image.env, cmd, healthcheck, log };
}
