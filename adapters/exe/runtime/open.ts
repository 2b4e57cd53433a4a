/**
 * `--open`: show the served URL in the default browser, the way each desktop does it. A failure
 * (no desktop, no opener installed) is one line on stderr; the server keeps running.
 *
 * Run time only.
 */
import { spawn } from 'node:child_process';

/**
 * The command that opens `url` on `platform`.
 *
 * @example
 * openCommand('http://127.0.0.1:3000', 'linux'); // ['xdg-open', ['http://127.0.0.1:3000']]
 */
export function openCommand(url: string, platform: string): [string, string[]] {
  if (platform === 'win32') return ['cmd', ['/c', 'start', '""', url.replace(/&/g, '^&')]];
  if (platform === 'darwin') return ['open', [url]];
  return ['xdg-open', [url]];
}

/**
 * @example
 * openBrowser('http://127.0.0.1:3000');
 */
export function openBrowser(url: string, platform: string = process.platform): void {
  const [command, args] = openCommand(url, platform);
  const child = spawn(command, args, { stdio: 'ignore', detached: true, windowsHide: true });
  child.once('error', (error) => console.error(`[portico] could not open a browser (${command}: ${error.message}); open ${url} yourself`));
  child.unref();
}
