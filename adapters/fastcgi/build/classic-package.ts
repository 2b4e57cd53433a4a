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
  const input = snippetInput(ctx, transport, scriptName, hasPublic);
  const configs: Record<string, string> = {
    ...(transport === 'cgi' ? {} : nginxConfig(input)),
    'apache.conf': apacheConfig(input),
    'lighttpd.conf': lighttpdConfig(input),
    ...(transport === 'cgi' ? {} : systemdUnits(input)),
  };
  for (const [name, text] of Object.entries(configs)) {
    const path = join(ctx.outDir, name);
    writeFileSync(path, text);
    files.push({ path, kind: 'config' });
  }
  return files;
}
