/**
 * Image builds replayed without a Docker engine: each build stage's WORKDIR, ARG, ENV, COPY and
 * RUN instructions run on this machine, in a temporary folder standing for the image's file
 * system, with a HOME, npm prefix and pnpm store of their own (empty, as in a fresh image); the
 * runtime stage's `COPY --from` then takes what it names into a second, empty folder, and the
 * build's folder and store are deleted, so the result holds only what the image would.
 *
 * As Docker's layer cache does, the instructions that several Dockerfiles' build stages start with
 * alike (same text, same ARG defaults, same build context) run once; each build goes on from its
 * own copy of that stage. Absolute paths of an image (`/repo`, `/out`, `/app/gateway`) are taken
 * below the folder of their stage. The base image's own content (node, npm) is this machine's.
 */
import { cpSync, linkSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, renameSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startProcess } from '@ddup/test-utils';
import { type Instruction, type Stage, copyParts, dockerignoreMatcher, parseDockerfile, stageArgs, substitute } from './dockerfile.ts';

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

/** `from`'s tree again at `to`: folders made, files hard-linked, symbolic links copied as they are. */
function linkTree(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const source = path.join(from, entry.name);
    const target = path.join(to, entry.name);
    if (entry.isDirectory()) linkTree(source, target);
    else if (entry.isSymbolicLink()) symlinkSync(readlinkSync(source), target);
    else linkSync(source, target);
  }
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

  /**
   * A copy of the stage at `root`, its WORKDIR and ENV moved along: files hard-linked (a layer is
   * only read from: what a later build step writes is new files), symbolic links as they are.
   */
  copyTo(root: string): StageFiles {
    linkTree(this.root, root);
    const moved = (value: string) => value.replaceAll(this.root, root);
    const copy = new StageFiles(root, Object.fromEntries(Object.entries(this.env).map(([name, value]) => [name, moved(value)])));
    copy.workdir = moved(this.workdir);
    return copy;
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
  const pairs = text.split(/\s+/).filter((pair) => pair.indexOf('=') > 0);
  return Object.fromEntries(pairs.map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]));
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

/** A Dockerfile's build stage (the first) and runtime stage (the last). */
interface TwoStages {
  readonly dockerfile: string;
  readonly build: Stage;
  readonly runtime: Stage;
  /** The build stage's ARG defaults. */
  readonly args: Record<string, string>;
}

function twoStages(contextDir: string, dockerfile: string): TwoStages {
  const { stages } = parseDockerfile(readFileSync(path.join(contextDir, dockerfile), 'utf8'));
  const build = stages[0];
  const runtime = stages.at(-1);
  if (!build || !runtime || build === runtime) throw new Error(`${dockerfile}: expected a build stage and a runtime stage`);
  return { dockerfile, build, runtime, args: stageArgs(build) };
}

/** How many instructions every build stage starts with alike (Docker builds those layers once). */
function sharedLength(builds: readonly TwoStages[]): number {
  const texts = builds.map(({ build, args }) => build.instructions.map(({ keyword, args: text }) => `${keyword} ${substitute(text, args)}`));
  const [first = [], ...others] = texts;
  let length = 0;
  while (length < first.length && others.every((other) => other[length] === first[length])) length++;
  return length;
}

/** Runs build-stage `instructions` in `stage`: WORKDIR, ENV, COPY from the context, RUN. The commands and their output. */
async function replaySteps(stage: StageFiles, instructions: readonly Instruction[], from: TwoStages, context: { dir: string; files: readonly string[] }) {
  let log = '';
  for (const { keyword, args: text } of instructions) {
    const expanded = substitute(text, { ...from.args, ...stage.env });
    if (stage.apply(keyword, expanded)) continue;
    if (keyword === 'COPY') {
      const { from: source, sources, destination } = copyParts(expanded);
      if (source !== undefined) throw new Error(`${from.dockerfile}: COPY --from in the build stage is not replayed`);
      copyFromContext(context.dir, context.files, sources, stage.at(destination) + (destination.endsWith('/') ? '/' : ''));
    } else if (keyword === 'RUN') {
      // Absolute paths of the image (`/out`) below the stage's folder.
      log += await run(expanded.replace(/(^|\s)\/(?=\w)/g, `$1${stage.root}/`), stage.workdir, stage.env);
    }
  }
  return log;
}

/** The runtime stage in a fresh folder `root`, holding only what it copies from `build`; the build's folder is deleted. */
function runtimeImage(root: string, from: TwoStages, build: StageFiles, log: string): BuiltImage {
  const image = new StageFiles(root, {});
  let cmd: string[] = [];
  let healthcheck: string[] | undefined;
  for (const { keyword, args: text } of from.runtime.instructions) {
    if (image.apply(keyword, text)) continue;
    if (keyword === 'COPY') {
      const { from: stageName, sources, destination } = copyParts(text);
      if (stageName !== from.build.name) throw new Error(`${from.dockerfile}: the runtime stage copies from ${stageName ?? 'the build context'}`);
      const target = image.at(destination);
      for (const source of sources) {
        rmSync(target, { recursive: true, force: true });
        mkdirSync(path.dirname(target), { recursive: true });
        // A move, not a copy: a link still pointing into the build stage breaks, as it would in the image.
        renameSync(build.at(source), target);
      }
    } else if (keyword === 'CMD') cmd = execForm(text);
    else if (keyword === 'HEALTHCHECK') healthcheck = execForm(text);
  }
  rmSync(build.root, { recursive: true, force: true });
  return { workdir: image.workdir, runtimeRoot: image.root, env: image.env, cmd, healthcheck, log };
}

/**
 * Replays `dockerfiles` (build context `contextDir`) in a new temporary folder, the builds after
 * their shared first layers at once. The pnpm store is `home/.local/share/pnpm/store` below the
 * build stage's folder (pnpm's default for that HOME), empty at the start.
 */
export async function replayBuilds(contextDir: string, dockerfiles: readonly string[]): Promise<BuiltImage[]> {
  const builds = dockerfiles.map((dockerfile) => twoStages(contextDir, dockerfile));
  const [first] = builds;
  if (!first) return [];
  const folder = mkdtempSync(path.join(tmpdir(), 'ddup-image-build-'));
  const context = { dir: contextDir, files: contextFiles(contextDir) };
  const sharedRoot = path.join(folder, 'shared');
  const home = path.join(sharedRoot, 'home');
  mkdirSync(home, { recursive: true });
  const shared = new StageFiles(sharedRoot, buildEnvironment(home, path.join(sharedRoot, 'usr/local')));
  const length = sharedLength(builds);
  try {
    const sharedLog = await replaySteps(shared, first.build.instructions.slice(0, length), first, context);
    return await Promise.all(
      builds.map(async (build, index) => {
        const stage = shared.copyTo(path.join(folder, `build-${index}`));
        const log = sharedLog + (await replaySteps(stage, build.build.instructions.slice(length), build, context));
        return runtimeImage(path.join(folder, `image-${index}`), build, stage, log);
      }),
    );
  } catch (error) {
    rmSync(folder, { recursive: true, force: true });
    throw error;
  } finally {
    rmSync(sharedRoot, { recursive: true, force: true });
  }
}
