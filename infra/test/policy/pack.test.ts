import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { policies } from '../../policy/rules';

/**
 * The pack as the engine loads it. Each rule is tested against one resource that breaks it and one
 * that keeps it in the tests beside this one; the whole pack over every stack's resources runs in
 * the stack suites.
 */
describe('infra/policy', () => {
  it('serves every rule from index.ts as a mandatory policy pack described in PulumiPolicy.yaml', () => {
    const directory = path.join(__dirname, '..', '..', 'policy');
    const index = readFileSync(path.join(directory, 'index.ts'), 'utf8');
    expect(index).toMatch(
      /new PolicyPack\('lorechat', \{[\s\S]*enforcementLevel: 'mandatory',[\s\S]*policies,/,
    );
    const project = parse(readFileSync(path.join(directory, 'PulumiPolicy.yaml'), 'utf8')) as {
      runtime: string;
    };
    expect(project.runtime).toBe('nodejs');
    const names = policies.map((policy) => policy.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toHaveLength(12);
  });
});
