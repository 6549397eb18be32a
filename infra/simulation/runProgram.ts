import * as pulumi from '@pulumi/pulumi';
import { type MockMonitor } from '@pulumi/pulumi/runtime/mocks';
import { loadStackConfig } from '../config';
import { RecordingMocks, type RecordedResource } from './mocks';
import {
  BOOTSTRAP_ROOT,
  REPOSITORY_ROOT,
  engineConfig,
  readProjectFile,
  simulatedDeployment,
  type StackFileValue,
} from './stackFiles';

/** A Pulumi program the simulation can run: where its project files are, how to load it. */
interface Program {
  directory: string;
  /** What an operator sets before deploying a stack of it (see `simulatedDeployment`). */
  deployment: (stack: string) => Record<string, StackFileValue>;
  /** The program's first step, its configuration, so a bad stack file fails on its own. */
  validate: () => void;
  load: () => Promise<Record<string, unknown>>;
}

const MAIN: Program = {
  directory: REPOSITORY_ROOT,
  deployment: simulatedDeployment,
  validate: () => void loadStackConfig(),
  load: async () => ({ ...(await import('../index')) }),
};

const BOOTSTRAP: Program = {
  directory: BOOTSTRAP_ROOT,
  deployment: () => ({}),
  validate: () => undefined,
  load: async () => ({ ...(await import('../bootstrap/index')) }),
};

export interface ProgramRun {
  stack: string;
  resources: RecordedResource[];
  calls: RecordingMocks['calls'];
  /** The stack outputs, resolved (secrets included, in plain text). */
  outputs: Record<string, unknown>;
}

/**
 * Points the Pulumi runtime at recording mocks and gives it the stack's configuration, as the CLI
 * would: Pulumi.yaml defaults under the stack file's values, what an operator sets before a deploy
 * (`simulatedDeployment`), then `overrides`.
 */
export async function simulateStack(
  stack: string,
  overrides: Record<string, StackFileValue> = {},
  previous: RecordedResource[] = [],
  program: Program = MAIN,
): Promise<RecordingMocks> {
  const config = engineConfig(
    stack,
    { ...program.deployment(stack), ...overrides },
    program.directory,
  );
  const mocks = new RecordingMocks(config.values['aws:region'] ?? 'us-east-1', previous);
  await pulumi.runtime.setMocks(mocks, readProjectFile(program.directory).name, stack, false);
  pulumi.runtime.setAllConfig(config.values, config.secretKeys);
  return mocks;
}

/**
 * Runs the Pulumi program (infra/index.ts) for a stack under mocks, as `pulumi preview` would
 * but without the CLI or AWS, and returns every resource it declared. With `previous`, the
 * resources of an earlier run, it is an update of that stack: existing resources keep their
 * names. The program runs once per module registry: each Jest test file, or one script process.
 */
export function runProgram(
  stack: string,
  overrides: Record<string, StackFileValue> = {},
  previous: RecordedResource[] = [],
): Promise<ProgramRun> {
  return run(MAIN, stack, overrides, previous);
}

/** Runs the bootstrap program (infra/bootstrap/) for one of its stacks, the same way. */
export function runBootstrap(
  stack: string,
  overrides: Record<string, StackFileValue> = {},
): Promise<ProgramRun> {
  return run(BOOTSTRAP, stack, overrides, []);
}

async function run(
  program: Program,
  stack: string,
  overrides: Record<string, StackFileValue>,
  previous: RecordedResource[],
): Promise<ProgramRun> {
  const mocks = await simulateStack(stack, overrides, previous, program);
  program.validate();

  // Mocks see inputs but not resource options; the policy pack also judges `protect`, and the
  // replacement model (replacement.ts) reads how each resource is replaced.
  const protectedResources = new Set<string>();
  const options = new Map<string, pulumi.ResourceOptions & { deleteBeforeReplace?: boolean }>();
  const outputs = (await pulumi.runtime.runInPulumiStack(async () => {
    pulumi.runtime.registerStackTransformation(({ type, name, opts }) => {
      if (opts.protect) protectedResources.add(`${type}::${name}`);
      options.set(`${type}::${name}`, opts);
      return undefined;
    });
    return program.load();
  })) as Record<string, unknown>;

  const monitor = pulumi.runtime.getMonitor() as unknown as MockMonitor;
  // Registrations still in flight finish before the monitor is released.
  await pulumi.runtime.disconnect();
  attachUrns(mocks.resources, monitor);
  for (const resource of mocks.resources) {
    resource.protect = protectedResources.has(`${resource.type}::${resource.name}`);
    const opts = options.get(`${resource.type}::${resource.name}`);
    resource.options = {
      deleteBeforeReplace: opts?.deleteBeforeReplace === true,
      ignoreChanges: opts?.ignoreChanges ?? [],
      dependsOn: await dependencyUrns(opts?.dependsOn),
    };
  }
  return { stack, resources: mocks.resources, calls: mocks.calls, outputs };
}

/** The URNs of a resource's explicit dependencies, resolved once the run is over. */
async function dependencyUrns(dependsOn: pulumi.ResourceOptions['dependsOn']): Promise<string[]> {
  // The program passes resources themselves, never outputs of them.
  const list = [dependsOn ?? []].flat() as pulumi.Resource[];
  return Promise.all(
    list.map((resource) => new Promise<string>((resolve) => resource.urn.apply(resolve))),
  );
}

function attachUrns(resources: RecordedResource[], monitor: MockMonitor): void {
  const urns = [...monitor.getRegisteredResources().keys()];
  for (const resource of resources) {
    resource.urn = urns.find((urn) => urn.endsWith(`${resource.type}::${resource.name}`));
  }
}
