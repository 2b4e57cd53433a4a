/**
 * Which AWS region a Lambda deploy goes to, and where that came from, so `--dry-run` and the
 * errors say it truthfully (a region "from ~/.aws/config" when there is no such file misleads).
 *
 * Order: `lambda.region` in bundle.config.ts, then AWS_REGION, then AWS_DEFAULT_REGION (the
 * AWS CLI's name, which the JS SDK v3 ignores on its own: portico passes it on, so a machine set
 * up for the CLI deploys where the CLI would), then the SDK's own lookup in the shared config
 * file (AWS_CONFIG_FILE, else ~/.aws/config) for the profile (AWS_PROFILE, else default).
 *
 * Build time only.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { PorticoError } from '../../../src/config/errors.ts';

export interface LambdaRegion {
  region: string;
  /** Where it was found, for the plan: 'lambda.region in bundle.config.ts', 'AWS_REGION', ... */
  from: string;
}

/** The shared config file the SDK reads and the profile it reads there (from this process's environment, as the SDK does). */
function sharedConfig(env: NodeJS.ProcessEnv = process.env): { file: string; profile: string } {
  return { file: env.AWS_CONFIG_FILE || join(homedir(), '.aws', 'config'), profile: env.AWS_PROFILE || 'default' };
}

/**
 * The region and its source, or undefined when none is set anywhere.
 *
 * @example
 * await lambdaRegion('eu-west-1');             // { region: 'eu-west-1', from: 'lambda.region in bundle.config.ts' }
 * await lambdaRegion(undefined);   // with AWS_REGION=us-east-2: { region: 'us-east-2', from: 'AWS_REGION' }
 */
export async function lambdaRegion(configured: string | undefined): Promise<LambdaRegion | undefined> {
  const env = process.env;
  if (configured) return { region: configured, from: 'lambda.region in bundle.config.ts' };
  if (env.AWS_REGION) return { region: env.AWS_REGION, from: 'AWS_REGION' };
  if (env.AWS_DEFAULT_REGION) return { region: env.AWS_DEFAULT_REGION, from: 'AWS_DEFAULT_REGION' };
  const { file, profile } = sharedConfig();
  if (!existsSync(file)) return undefined;
  // The SDK's own reading of the file (profiles, AWS_CONFIG_FILE), not a second INI parser.
  const { LambdaClient } = await import('@aws-sdk/client-lambda');
  const client = new LambdaClient({});
  try {
    const region = await client.config.region();
    return region ? { region, from: `${file} (profile ${profile})` } : undefined;
  } catch {
    return undefined; // "Region is missing": the file has none for this profile
  } finally {
    client.destroy();
  }
}

/**
 * The one-line error for a deploy with no region, saying where it looked.
 *
 * @example
 * throw noRegionError(); // PORTICO_AWS_NO_REGION: no AWS region: lambda.region is not set, ...
 */
export function noRegionError(): PorticoError {
  const { file, profile } = sharedConfig();
  const shared = existsSync(file) ? `${file} has no region for profile ${profile}` : `there is no ${file}`;
  return new PorticoError(
    'PORTICO_AWS_NO_REGION',
    `no AWS region: lambda.region is not set, nor AWS_REGION or AWS_DEFAULT_REGION, and ${shared}; set lambda.region in bundle.config.ts (e.g. region: 'us-east-1') or AWS_REGION`,
  );
}
