/**
 * The packaging step the three classic targets share: list esbuild's output, the native addons,
 * copy public/ beside the script, and write the web server (and systemd) files for it.
 *
 * Build time only.
 */
import { cpSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { nativeAddonFiles } from '../../../src/bundle/native-addons.ts';
import type { BuildContext, OutputFile } from '../../../src/bundle/target.ts';
import type { Transport } from './classic-options.ts';
import { apacheConfig } from './apache-conf.ts';
import { lighttpdConfig } from './lighttpd-conf.ts';
import { nginxConfig } from './nginx-conf.ts';
import { snippetInput } from './snippet-input.ts';
import { systemdUnits } from './systemd-units.ts';

/**
 * @example
 * package(ctx, build) { return packageClassic(ctx, build.outputFiles, 'fastcgi', 'server.mjs'); }
 */
export function packageClassic(ctx: BuildContext, outputFiles: string[], transport: Transport, scriptName: string): OutputFile[] {
  const files: OutputFile[] = [...outputFiles]
    .sort()
    .map((path) => ({ path, kind: path.endsWith('.map') ? 'map' : 'entry' }));
  for (const addon of nativeAddonFiles(ctx.outDir)) files.push({ path: join(ctx.outDir, addon), kind: 'native' });
  const hasPublic = ctx.publicDir !== undefined;
  if (hasPublic) {
    const dest = join(ctx.outDir, 'public');
    cpSync(ctx.publicDir!, dest, { recursive: true });
    for (const name of (readdirSync(dest, { recursive: true }) as string[]).sort()) {
      const path = join(dest, name);
      if (statSync(path).isFile()) files.push({ path, kind: 'asset' });
    }
  }
  files.push(...writeClassicConfigs(ctx, transport, scriptName, hasPublic ? join(ctx.outDir, 'public') : undefined, true));
  return files;
}

/**
 * Write the web server files (and, with `systemd`, the systemd units) into `ctx.outDir`, for
 * the script there and the public folder `publicDir` (the copy beside a bundle; `portico dev`
 * names the source folder, so a saved file is served at once).
 *
 * @example
 * writeClassicConfigs(ctx, 'cgi', 'app.cgi', ctx.publicDir, false);
 */
export function writeClassicConfigs(ctx: BuildContext, transport: Transport, scriptName: string, publicDir: string | undefined, systemd: boolean): OutputFile[] {
  const input = { ...snippetInput(ctx, transport, scriptName, publicDir !== undefined), publicDir };
  const configs: Record<string, string> = {
    ...nginxConfig(input),
    'apache.conf': apacheConfig(input),
    'lighttpd.conf': lighttpdConfig(input),
    ...(transport === 'cgi' || !systemd ? {} : systemdUnits(input)),
  };
  return Object.entries(configs).map(([name, text]) => {
    const path = join(ctx.outDir, name);
    writeFileSync(path, text);
    return { path, kind: 'config' };
  });
}
