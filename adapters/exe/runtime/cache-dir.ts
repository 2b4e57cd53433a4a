/**
 * The user's cache folder, where the exe target keeps downloaded Node base binaries (build time)
 * and a running executable writes its native addons once (run time). Shared by both sides, so it
 * lives in runtime/ (build/ may import runtime/, never the other way).
 *
 * Run time safe: node:* only.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * `<user cache>/portico`: `%LOCALAPPDATA%` on Windows, `~/Library/Caches` on macOS,
 * `$XDG_CACHE_HOME` else `~/.cache` elsewhere (the XDG base directory spec).
 *
 * @example
 * porticoCacheDir(process.env); // '/home/ada/.cache/portico'
 */
export function porticoCacheDir(env: Record<string, string | undefined> = process.env, platform: string = process.platform): string {
  if (platform === 'win32') return join(env.LOCALAPPDATA || join(homedir(), 'AppData', 'Local'), 'portico');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Caches', 'portico');
  // The spec says a relative XDG_CACHE_HOME is invalid and must be ignored.
  const xdg = env.XDG_CACHE_HOME;
  return join(xdg && xdg.startsWith('/') ? xdg : join(homedir(), '.cache'), 'portico');
}
