import { stackTarget } from '../simulation/stackTarget';

/**
 * `node --require ./scripts/register-typescript.js infra/scripts/stackTarget.ts <stack>`: prints
 * `region=…` and `account=…` for a GitHub Actions step's outputs, from the stack file.
 */
function main(argv: string[]): void {
  const [stack] = argv;
  if (!stack) {
    process.stderr.write('usage: stackTarget.ts <stack>\n');
    process.exitCode = 2;
    return;
  }
  const { region, account } = stackTarget(stack);
  process.stdout.write(`region=${region}\naccount=${account}\n`);
}

try {
  main(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
