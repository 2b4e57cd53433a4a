/**
 * The executable's command line as both runtimes inside read it (start.ts for Node,
 * bun-start.ts for Bun): a bad flag is one line and exit code 2; --help and --version print and
 * end the start; anything else is the command to serve.
 *
 * Run time only.
 */
import type { LimitUsageOptions } from '../../_node/server-args.ts';
import { exeUsage, parseExeArgs, type ExeCommand, type ExeListenDefaults } from './flags.ts';

/**
 * The command to serve, or undefined once --help or --version has printed.
 *
 * @param runtime what --version names after "portico exe", e.g. 'Node v24.22.3' or 'Bun 1.4.5'
 * @param limits the limit flags --help lists (default: all; the bun executable's are fewer)
 *
 * @example
 * const command = serveCommand(baked, `Node ${process.version}`);
 * if (command === undefined) return undefined; // --help or --version
 */
export function serveCommand(baked: ExeListenDefaults & { name: string; version: string }, runtime: string, limits: LimitUsageOptions = {}): ExeCommand | undefined {
  let command: ExeCommand;
  try {
    command = parseExeArgs(process.argv.slice(2), process.env, baked);
  } catch (error) {
    console.error(`${baked.name}: ${(error as Error).message}`);
    process.exit(2);
  }
  if (command.action === 'help') {
    console.log(exeUsage(baked.name, baked, limits));
    return undefined;
  }
  if (command.action === 'version') {
    console.log(`${baked.name} ${baked.version} (portico exe, ${runtime})`);
    return undefined;
  }
  return command;
}
