import { StackConfigError } from '../config';
import { simulateStack } from '../simulation/runProgram';

describe('a stack file with bad values', () => {
  it('stops the program before it declares anything, naming each key and what is allowed', async () => {
    const mocks = await simulateStack('dev', {
      'lorechat:taskMemory': 3000,
      'lorechat:llmProvider': 'gpt-4',
    });
    const program = import('../index');
    await expect(program).rejects.toThrow(StackConfigError);
    await expect(program).rejects.toThrow(
      /lorechat:taskMemory must be one of 512, 1024, 2048 when lorechat:taskCpu is 256 \(got 3000\)/,
    );
    await expect(program).rejects.toThrow(
      /lorechat:llmProvider must be one of: extractive, openai, anthropic, bedrock \(got "gpt-4"\)/,
    );
    expect(mocks.resources).toEqual([]);
  });
});
