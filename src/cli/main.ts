/**
 * The portico CLI: `portico bundle | serve | dev | deploy`. Thin: each command lives in its own
 * file and imports the bundler, esbuild and the dev server inside its action, so `--help` and
 * `--version` stay fast. Errors for users print as one line; usage errors add a `--help` hint
 * and exit 2, failures exit 1.
 */
import { cac } from 'cac';
import { readFileSync } from 'node:fs';
import { registerBundle } from './bundle.ts';
import { registerDeploy } from './deploy.ts';
import { registerDev } from './dev.ts';
import { registerServe } from './serve.ts';
import { UsageError } from './shared.ts';

function version(): string {
  // Found by walking up, so it works from src/cli/ and from the prebuilt lib/cli.mjs.
  for (const rel of ['../../package.json', '../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'portico' && pkg.version) return pkg.version;
    } catch {
      // try the next candidate
    }
  }
  return '0.0.0';
}

/**
 * Run the CLI on `argv` (without the node and script paths). Resolves to the exit code.
 *
 * @example
 * process.exitCode = await main(process.argv.slice(2));
 */
export async function main(argv: string[]): Promise<number> {
  const cli = cac('portico');
  registerBundle(cli);
  registerServe(cli);
  registerDev(cli);
  registerDeploy(cli);
  cli.help();
  cli.version(version());

  const commandName = () => (cli.matchedCommandName ? `portico ${cli.matchedCommandName}` : 'portico');
  try {
    cli.parse(['node', 'portico', ...argv], { run: false });
    if (cli.options.help || cli.options.version) return 0;
    if (!cli.matchedCommand) {
      if (cli.args.length > 0) throw new UsageError(`unknown command ${JSON.stringify(cli.args[0])} (commands: bundle, serve, dev, deploy)`);
      cli.outputHelp();
      return 0;
    }
    await cli.runMatchedCommand();
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    const err = error as Error & { details?: string; code?: string };
    if (err instanceof UsageError || err?.name === 'CACError') {
      console.error(`${commandName()}: ${err.message} (see ${commandName()} --help)`);
      return 2;
    }
    if (typeof err?.details === 'string' && err.details) process.stderr.write(err.details);
    // A user error: a PorticoError, or any error whose code or message starts with a PORTICO_ code
    // (a target hook's own Error) is one line with its fix, never a stack trace.
    if (err?.name === 'PorticoError' || (typeof err?.code === 'string' && err.code.startsWith('PORTICO_')) || /^PORTICO_[A-Z_]+: /.test(String(err?.message))) {
      console.error(`${commandName()}: ${err.message}`);
      return 1;
    }
    console.error(err);
    return 1;
  }
}

// `node src/cli/main.ts ...` runs it; bin/portico.mjs and tests import main() instead.
if ((import.meta as { main?: boolean }).main) process.exitCode = await main(process.argv.slice(2));
