import { formatInventory, inventoryOf } from '../simulation/inventory';
import { runProgram } from '../simulation/runProgram';

/**
 * `npm run infra:inventory -- --stack <stack>`: prints every resource a stack declares, by type,
 * computed by running the program under Pulumi's mocks.
 */
async function main(argv: string[]): Promise<void> {
  const flag = argv.indexOf('--stack');
  const stack = flag >= 0 ? argv[flag + 1] : undefined;
  if (!stack) {
    process.stderr.write('usage: npm run infra:inventory -- --stack <dev|staging|prod>\n');
    process.exitCode = 2;
    return;
  }
  const run = await runProgram(stack);
  process.stdout.write(formatInventory(stack, inventoryOf(run.resources)));
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
