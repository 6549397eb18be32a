/**
 * The server's production build, the one the container image ships, holds the server only:
 * benchmarks, specs and test helpers stay out of it. Asked of the TypeScript compiler itself
 * (`tsc --listFilesOnly` on tsconfig.build.json): the files it lists are every file the build
 * compiles, including anything a production file imports.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const BACKEND = join(__dirname, '..');
const REPOSITORY = join(BACKEND, '..');

describe('the production build', () => {
  let compiled: string[];

  beforeAll(() => {
    const run = spawnSync(
      process.execPath,
      [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--listFilesOnly'],
      { cwd: BACKEND, encoding: 'utf8' },
    );
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    compiled = run.stdout
      .split('\n')
      .filter((file) => file !== '' && !file.includes('/node_modules/'))
      .map((file) => relative(BACKEND, file));
  }, 60_000);

  it('compiles the server, its workers and the lorechat command', () => {
    expect(compiled).toEqual(
      expect.arrayContaining(['src/main.ts', 'src/workers.ts', 'src/cli.ts']),
    );
    expect(compiled.length).toBeGreaterThan(100);
  });

  it('compiles no benchmark, spec or test helper', () => {
    const ours = (file: string) =>
      file.startsWith('src/') || file.startsWith('../packages/contracts/');
    const outOfPlace = compiled.filter(
      (file) => !ours(file) || file.startsWith('src/bench/') || file.endsWith('.spec.ts'),
    );
    expect(outOfPlace).toEqual([]);
  });

  it('is the build the image runs, from a context without tests or local builds', () => {
    const scripts = (
      JSON.parse(readFileSync(join(BACKEND, 'package.json'), 'utf8')) as {
        scripts: Record<string, string>;
      }
    ).scripts;
    expect(scripts.build).toBe('tsc -b tsconfig.build.json tsconfig.contracts.json');
    const dockerfile = readFileSync(join(BACKEND, 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/npm run build --workspace backend\b/);
    // The final stage takes the backend's code from the build's dist alone.
    const finalStage = dockerfile.split(/^FROM /m).at(-1) ?? '';
    const backendCopies = finalStage
      .split('\n')
      .filter((line) => /^COPY --from=build \/app\/backend\//.test(line));
    expect(backendCopies).toEqual([
      'COPY --from=build /app/backend/package.json ./',
      'COPY --from=build /app/backend/dist ./dist',
    ]);
    // A local dist (which may hold the benchmarks' build) and the tests never enter the context.
    const ignored = readFileSync(join(REPOSITORY, '.dockerignore'), 'utf8').split('\n');
    expect(ignored).toEqual(expect.arrayContaining(['**/dist', 'backend/test']));
  });
});
