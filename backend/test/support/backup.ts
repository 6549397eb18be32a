import { Writable } from 'node:stream';
import { backupCommand } from '../../src/backup/backup-cli';

/** A command's stdout and stderr as streams that keep what is written to them, in `text`. */
export function captureOutput(): {
  stdout: Writable;
  stderr: Writable;
  text: { stdout: string; stderr: string };
} {
  const text = { stdout: '', stderr: '' };
  const sink = (name: keyof typeof text) =>
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        text[name] += chunk.toString();
        done();
      },
    });
  return { stdout: sink('stdout'), stderr: sink('stderr'), text };
}

/** Runs `lorechat backup|restore` in this process with the given environment. */
export async function runBackupCommand(
  command: 'backup' | 'restore',
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const output = captureOutput();
  const code = await backupCommand(command, args, env, output);
  return { code, ...output.text };
}
