/**
 * Reads a password for `recon sync login`: from a terminal without echo, or
 * the first line of piped stdin (scripts). It only ever goes to the keychain.
 */
import { SyncError } from './errors.ts';

/** Prompts on stderr (a TTY) or reads the first line of stdin. */
export async function readPassword(prompt: string, stdin: NodeJS.ReadStream = process.stdin, out: NodeJS.WritableStream = process.stderr): Promise<string> {
  if (!stdin.isTTY) {
    const chunks: Buffer[] = [];
    for await (const chunk of stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
    return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
  }
  out.write(prompt);
  stdin.setRawMode(true);
  stdin.setEncoding('utf8');
  stdin.resume();
  return new Promise((resolve, reject) => {
    let password = '';
    const finish = (err?: Error): void => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      out.write('\n');
      if (err) reject(err);
      else resolve(password);
    };
    const onData = (data: string): void => {
      for (const ch of data) {
        if (ch === '\r' || ch === '\n') return finish();
        if (ch === '\u0003' || ch === '\u0004') return finish(new SyncError('SYNC_NO_PASSWORD', 'cancelled: no password stored'));
        password = ch === '\u007f' || ch === '\b' ? password.slice(0, -1) : password + ch;
      }
    };
    stdin.on('data', onData);
  });
}
