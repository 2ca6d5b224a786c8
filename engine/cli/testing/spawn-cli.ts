/** Runs a CLI as its own process, as a user's shell would, and collects its exit code and output. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ProcessOutput {
  code: number;
  stdout: string;
  stderr: string;
}

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

/** Node with `args`, the environment and stdin of the test's choosing; resolves when the process exits. */
export function runNode(args: readonly string[], env: NodeJS.ProcessEnv, stdin = '', cwd?: string): Promise<ProcessOutput> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...args], { env, stdio: ['pipe', 'pipe', 'pipe'], ...(cwd ? { cwd } : {}) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

/** `recon ARGS` through bin/recon.mjs, from the repository's root. */
export function runReconBin(args: readonly string[], env: NodeJS.ProcessEnv, stdin = ''): Promise<ProcessOutput> {
  return runNode([join(ROOT, 'bin', 'recon.mjs'), ...args], env, stdin, ROOT);
}
