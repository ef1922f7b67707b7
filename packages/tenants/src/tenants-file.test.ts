import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '@ddup/config';
import { TenantDirectory, parseTenantsFile } from './index.ts';

const digest = (key: string) => `sha256:${createHash('sha256').update(key).digest('hex')}`;

function problemsOf(text: string): readonly string[] {
  try {
    parseTenantsFile(text);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('parseTenantsFile', () => {
  it('reads the issue’s example, with defaults for what a tenant leaves out', () => {
    const [acme, globex] = parseTenantsFile(
      JSON.stringify({
        tenants: [
          {
            id: 'acme',
            api_keys: [digest('k1')],
            window_seconds: 7200,
            key_fields: ['user_id', 'event_type', 'payload.order_id'],
            rate_limit_per_second: 1000,
          },
          { id: 'globex', api_keys: [digest('k2'), digest('k3')], rate_limit_per_second: 20, refresh_on_duplicate: true },
        ],
      }),
    );
    expect(acme).toMatchObject({
      id: 'acme',
      windowSeconds: 7200,
      keyFields: ['user_id', 'event_type', 'payload.order_id'],
      rateLimit: { perSecond: 1000, burst: 1000 },
      refreshOnDuplicate: false,
    });
    expect(globex).toMatchObject({
      id: 'globex',
      windowSeconds: undefined,
      keyFields: undefined,
      rateLimit: { perSecond: 20, burst: 20 },
      refreshOnDuplicate: true,
    });
    expect(globex?.apiKeyDigests).toHaveLength(2);
  });

  it('names the tenant and the field of each problem', () => {
    const problems = problemsOf(
      JSON.stringify({
        tenants: [
          { id: 'acme', api_keys: ['plain-secret'], window_seconds: 0 },
          { id: 'globex', api_keys: [digest('k')], key_fields: ['payload..x'], colour: 'red' },
        ],
      }),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/tenant "acme" \(tenants\[0\]\) field api_keys\.0: must be "sha256:"/),
        expect.stringMatching(/tenant "acme" \(tenants\[0\]\) field window_seconds:/),
        expect.stringMatching(/tenant "globex" \(tenants\[1\]\) field key_fields\.0: must be user_id, event_type/),
        expect.stringMatching(/tenant "globex" \(tenants\[1\]\).*colour/),
      ]),
    );
  });

  it('refuses ids used twice, a key shared by two tenants, no tenants, and text that is not JSON', () => {
    const shared = digest('shared');
    expect(
      problemsOf(
        JSON.stringify({
          tenants: [
            { id: 'a', api_keys: [shared] },
            { id: 'a', api_keys: [digest('x')] },
          ],
        }),
      ),
    ).toEqual([expect.stringMatching(/tenant "a" \(tenants\[1\]\) field id: is used by an earlier tenant/)]);
    expect(
      problemsOf(
        JSON.stringify({
          tenants: [
            { id: 'a', api_keys: [shared] },
            { id: 'b', api_keys: [shared] },
          ],
        }),
      ),
    ).toEqual([expect.stringMatching(/tenant "b" .* a key is also tenant "a"'s/)]);
    expect(problemsOf('{"tenants": []}')).toEqual([expect.stringMatching(/needs at least one tenant/)]);
    expect(problemsOf('{"tenants": [')).toEqual([expect.stringMatching(/is not JSON/)]);
  });
});

describe('TenantDirectory', () => {
  it('finds the tenant of a key (any of its keys), none for an unknown key, and keeps the old tenants when a reload finds a bad file', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'ddup-tenants-')), 'tenants.json');
    writeFileSync(path, JSON.stringify({ tenants: [{ id: 'acme', api_keys: [digest('old'), digest('new')] }] }));
    const directory = new TenantDirectory(path);
    expect(directory.authenticate('old')?.id).toBe('acme');
    expect(directory.authenticate('new')?.id).toBe('acme');
    expect(directory.authenticate('ne')).toBeUndefined();

    writeFileSync(path, '{"tenants": [{"id": "acme"}]}');
    const failed = directory.reload();
    expect(failed).toMatchObject({ ok: false, problems: [expect.stringMatching(/tenant "acme" .*api_keys/)] });
    expect(directory.authenticate('old')?.id).toBe('acme');

    writeFileSync(
      path,
      JSON.stringify({
        tenants: [
          { id: 'acme', api_keys: [digest('new')] },
          { id: 'initech', api_keys: [digest('i')] },
        ],
      }),
    );
    expect(directory.reload()).toMatchObject({ ok: true });
    expect(directory.authenticate('old')).toBeUndefined();
    expect(directory.authenticate('i')?.id).toBe('initech');
  });
});
