import { allOf, container, input } from '../recorded';
import { type ProgramRun } from '../../../simulation/runProgram';
import { type StackContext } from './context';

/** Talk to a person: the stack files set no channel, so the server gets none and may send nothing. */
export function describeHandoff(context: StackContext): void {
  let run: ProgramRun;
  beforeAll(() => {
    run = context.run();
  });
  describe('talk to a person', () => {
    it('gives the server no handoff channel, no webhook secret and no SES permission unless configured', () => {
      expect(context.config.handoff.email).toBeUndefined();
      const definition = container(run);
      const names = [...definition.environment, ...definition.secrets].map(({ name }) => name);
      expect(names.filter((name) => name.startsWith('HANDOFF_'))).toEqual([]);
      const sesPolicies = allOf(run, 'aws:iam/rolePolicy:RolePolicy').filter((policy) =>
        input<string>(policy, 'policy').includes('ses:'),
      );
      expect(sesPolicies).toEqual([]);
    });
  });
}
