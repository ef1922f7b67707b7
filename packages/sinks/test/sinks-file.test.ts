import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '@ddup/config';
import { loadSinksFile, parseSinksFile, sinkTakes } from '../src/index.ts';

const secret = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;

function problemsOf(file: unknown): readonly string[] {
  try {
    parseSinksFile(JSON.stringify(file));
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('parseSinksFile', () => {
  it('reads the issue’s example, with defaults for what a sink leaves out', () => {
    const { sinks } = parseSinksFile(
      JSON.stringify({
        sinks: [
          { id: 'hooks', type: 'webhook', url: 'http://127.0.0.1:9000/in', secret, tenants: ['acme'] },
          { id: 'bus', type: 'nats', servers: 'nats://127.0.0.1:4222', subject: 'ddup.events' },
          { id: 'warehouse', type: 'postgres', url: 'postgres://ddup@127.0.0.1:5432/ddup', start: 'earliest', max_attempts: 3 },
        ],
      }),
    );
    expect(sinks).toEqual([
      expect.objectContaining({ id: 'hooks', type: 'webhook', tenants: ['acme'], start: 'now', maxAttempts: 8, maxBackoffMs: 60_000, secret }),
      expect.objectContaining({ id: 'bus', type: 'nats', servers: ['nats://127.0.0.1:4222'], subject: 'ddup.events', stream: undefined }),
      expect.objectContaining({ id: 'warehouse', type: 'postgres', table: 'ddup_events', start: 'earliest', maxAttempts: 3, tenants: undefined }),
    ]);
  });

  it('names the sink and the field of each problem', () => {
    const problems = problemsOf({
      sinks: [
        { id: 'hooks', type: 'webhook', url: 'ftp://x', secret: 'plain' },
        { id: 'bus', type: 'nats', subject: 'ddup.*' },
        { id: 'pg', type: 'postgres', url: 'postgres://h/db', table: 'Robert; DROP', colour: 'red' },
        { id: 'x', type: 'kafka' },
      ],
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^SINKS_FILE: sinks\[0\] \("hooks"\): url: must be a http\(s\) URL/),
        expect.stringMatching(/^SINKS_FILE: sinks\[0\] \("hooks"\): secret: must be "whsec_"/),
        expect.stringMatching(/^SINKS_FILE: sinks\[1\] \("bus"\): servers: must be a server/),
        expect.stringMatching(/^SINKS_FILE: sinks\[1\] \("bus"\): subject: must be a subject/),
        expect.stringMatching(/^SINKS_FILE: sinks\[2\] \("pg"\): table: must be a lowercase identifier/),
        expect.stringMatching(/^SINKS_FILE: sinks\[2\] \("pg"\).*colour/),
        expect.stringMatching(/^SINKS_FILE: sinks\[3\] \("x"\): type: must be one of webhook, nats, postgres/),
      ]),
    );
  });

  it('refuses ids used twice, bad ids, a short secret, and text that is not JSON', () => {
    const short = `whsec_${Buffer.alloc(8).toString('base64')}`;
    expect(
      problemsOf({
        sinks: [
          { id: 'a', type: 'postgres', url: 'postgres://h/db' },
          { id: 'a', type: 'postgres', url: 'postgres://h/db' },
        ],
      }),
    ).toEqual([expect.stringMatching(/sinks\[1\] \("a"\): id: is used by an earlier sink/)]);
    expect(problemsOf({ sinks: [{ id: 'Hooks!', type: 'webhook', url: 'http://h', secret: short }] })).toEqual([
      expect.stringMatching(/sinks\[0\] \("Hooks!"\): id: must be/),
      expect.stringMatching(/sinks\[0\] \("Hooks!"\): secret: must hold 24 to 64 bytes/),
    ]);
    expect(() => parseSinksFile('{')).toThrow(/SINKS_FILE: is not JSON/);
  });

  it('loads a file, and says which file cannot be read', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ddup-sinks-'));
    const path = join(dir, 'sinks.json');
    writeFileSync(path, JSON.stringify({ sinks: [{ id: 'bus', type: 'nats', servers: ['a:4222', 'b:4222'], subject: 's', stream: 'EV' }] }));
    expect(loadSinksFile(path).sinks[0]).toMatchObject({ servers: ['a:4222', 'b:4222'], stream: 'EV', duplicateWindowSeconds: 3600 });
    expect(() => loadSinksFile(join(dir, 'missing.json'))).toThrow(/SINKS_FILE: cannot read .*missing\.json/);
  });

  it("a sink takes every event without tenants, else only its tenants' events", () => {
    expect([sinkTakes({ tenants: undefined }, 'acme'), sinkTakes({ tenants: undefined }, undefined)]).toEqual([true, true]);
    expect([sinkTakes({ tenants: ['acme'] }, 'acme'), sinkTakes({ tenants: ['acme'] }, 'globex'), sinkTakes({ tenants: ['acme'] }, undefined)]).toEqual([
      true,
      false,
      false,
    ]);
  });
});
