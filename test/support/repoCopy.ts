/**
 * A copy of this repository to change freely (generators, the README's walk-throughs): src/,
 * test/, migrations/, tools/, bin/ and the configuration files in a temporary directory, with
 * node_modules linked, not copied. `run` runs a shell command there.
 */
import { exec } from 'node:child_process';
import { cp, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO_ROOT } from './serverProcess.js';
import { tempDir } from './tempDir.js';

const COPIED = ['src', 'test', 'migrations', 'tools', 'bench', 'bin', 'package.json', 'tsconfig.json', '.dependency-cruiser.cjs', '.mocharc.json', 'contracts.snapshot.json'];

export interface RepoCopy {
  root: string;
  /** Runs a command with bash in the copy; resolves with its exit code and output (never rejects). */
  run(command: string): Promise<{ code: number; stdout: string; stderr: string }>;
  cleanup(): Promise<void>;
}

export async function repoCopy(): Promise<RepoCopy> {
  const dir = await tempDir('seams-copy-');
  for (const name of COPIED) await cp(join(REPO_ROOT, name), join(dir.path, name), { recursive: true });
  await symlink(join(REPO_ROOT, 'node_modules'), join(dir.path, 'node_modules'), 'dir');
  // The copy's own settings only: none of the caller's SEAMS_ variables.
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('SEAMS_')));
  return {
    root: dir.path,
    run: (command) =>
      new Promise((resolve) => {
        exec(command, { cwd: dir.path, env, shell: '/bin/bash', maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
          resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
        });
      }),
    cleanup: dir.cleanup,
  };
}
