import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { BACKEND_PORT } from '../backend';
import { CONTAINER_USER, WRITABLE_PATHS } from '../components/task';
import { REPOSITORY_ROOT } from '../simulation/stackFiles';

/**
 * The task definition assumes things of the image the program builds: its user, its port, its
 * writable volumes, its command. These tests hold backend/Dockerfile to them.
 */
describe('backend/Dockerfile', () => {
  const dockerfile = readFileSync(path.join(REPOSITORY_ROOT, 'backend', 'Dockerfile'), 'utf8');
  const instructions = dockerfile
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('#'));
  const stages = instructions
    .join('\n')
    .split(/^FROM /m)
    .slice(1);
  const finalStage = stages[stages.length - 1] ?? '';

  it('builds in stages and ships only the final one', () => {
    expect(stages.length).toBeGreaterThanOrEqual(3);
    expect(finalStage).not.toMatch(/npm (ci|install)/);
  });

  it('copies in production dependencies only', () => {
    const dependencies = stages.find((stage) =>
      stage.startsWith('toolchain AS production-dependencies'),
    );
    expect(dependencies).toMatch(/npm ci .*--omit=dev .*--workspace backend/);
    expect(finalStage).toMatch(/COPY --from=production-dependencies \/app\/node_modules/);
  });

  it('runs `node dist/main.js` as the uid the task definition expects, without a HEALTHCHECK', () => {
    expect(finalStage).toMatch(/^USER node$/m);
    expect(CONTAINER_USER).toBe('1000:1000'); // the node image's `node` user
    expect(finalStage).toMatch(/^CMD \["node", "dist\/main\.js"\]$/m);
    expect(dockerfile).not.toMatch(/^HEALTHCHECK/m);
    expect(finalStage).toMatch(new RegExp(`^EXPOSE ${BACKEND_PORT}$`, 'm'));
  });

  it('declares the volumes the read-only task mounts, owned by the runtime user', () => {
    const volumes = Object.values(WRITABLE_PATHS).map((volume) => `"${volume}"`);
    expect(finalStage).toContain(`VOLUME [${volumes.join(', ')}]`);
    expect(finalStage).toMatch(/chown node:node \/data/);
  });

  it('uses multi-architecture base images, so it builds for arm64', () => {
    for (const stage of stages)
      expect(stage).toMatch(/^(node:\$\{NODE_VERSION\}-bookworm-slim|toolchain)/);
  });
});
