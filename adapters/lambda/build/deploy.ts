/**
 * `portico deploy --target lambda`: create or update the function from dist/lambda/function.zip
 * with @aws-sdk/client-lambda, wait until Lambda reports it ready, and optionally give it a
 * public Function URL. Credentials come from the SDK's default chain (environment, shared
 * config/credentials files, SSO, container/instance roles); the region from region.ts.
 *
 * The steps follow the Lambda API reference:
 * - GetFunction; ResourceNotFoundException means "create".
 * - CreateFunction (needs an execution role), then the FunctionActiveV2 waiter: a new function
 *   is Pending until Lambda has prepared it.
 * - Or UpdateFunctionCode (skipped when the deployed CodeSha256 equals the zip's SHA-256: the
 *   zip is reproducible, so an unchanged app is an unchanged hash), the FunctionUpdatedV2
 *   waiter, then UpdateFunctionConfiguration and the waiter again: Lambda refuses a second
 *   update while LastUpdateStatus is InProgress (ResourceConflictException).
 * - Function URL: GetFunctionUrlConfig, then CreateFunctionUrlConfig or
 *   UpdateFunctionUrlConfig (AuthType NONE; InvokeMode BUFFERED or RESPONSE_STREAM), and for a
 *   new URL the resource-based permissions a public URL needs: lambda:InvokeFunctionUrl with
 *   FunctionUrlAuthType NONE, and (since October 2025) lambda:InvokeFunction with
 *   InvokedViaFunctionUrl ("Control access to Lambda function URLs").
 *
 * `--dry-run` prints the plan and calls nothing. Build time only.
 */
import { createHash } from 'node:crypto';
import { readFileSync, existsSync } from 'node:fs';
import type { LambdaClientConfig } from '@aws-sdk/client-lambda';
import { PorticoError } from '../../../src/config/errors.ts';
import { LAMBDA_HANDLER } from './files.ts';
import { lambdaRegion, noRegionError, type LambdaRegion } from './region.ts';
import type { ResolvedLambdaOptions } from './target-options.ts';

export interface DeployOptions {
  /** The function.zip to ship. */
  zipPath: string;
  options: ResolvedLambdaOptions;
  /** Print the plan, call nothing. Default false. */
  dryRun?: boolean;
  /** Where progress lines go. Default console.log. */
  log?: (line: string) => void;
  /** Extra SDK client settings (tests pass `endpoint` and static `credentials`). */
  clientConfig?: LambdaClientConfig;
  /** Longest wait for Lambda to finish a create or update, in seconds. Default 300. */
  maxWaitSeconds?: number;
}

/** What the deploy did (or, with dryRun, would do). */
export interface DeployReport {
  functionName: string;
  action: 'create' | 'update' | 'plan';
  codeSha256: string;
  codeUpdated: boolean;
  functionUrl?: string;
}

const URL_PERMISSION_ID = 'portico-function-url-public';
const URL_INVOKE_PERMISSION_ID = 'portico-function-url-invoke';

function errorName(error: unknown): string {
  return String((error as { name?: string })?.name ?? '');
}

/**
 * The SHA-256 of the zip as Lambda reports it (`CodeSha256`: base64, not hex).
 *
 * @example
 * codeSha256(readFileSync('dist/lambda/function.zip')); // 'n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg='
 */
export function codeSha256(zip: Uint8Array): string {
  return createHash('sha256').update(zip).digest('base64');
}

/**
 * The lines `--dry-run` prints.
 *
 * @example
 * deployPlan(options, zip, await lambdaRegion(options.region)).forEach((line) => console.log(line));
 */
export function deployPlan(options: ResolvedLambdaOptions, zip: Uint8Array, where: LambdaRegion | undefined): string[] {
  const region = where ? `${where.region}, from ${where.from}` : 'none set: the deploy would fail; set lambda.region in bundle.config.ts or AWS_REGION';
  const env = Object.keys(options.environment);
  return [
    `lambda deploy plan (dry run: no AWS call made)`,
    `  function      ${options.functionName}  (region ${region})`,
    `  code          function.zip, ${zip.length} bytes, CodeSha256 ${codeSha256(zip)}`,
    `  runtime       ${options.runtime}, handler ${LAMBDA_HANDLER}, ${options.architecture}`,
    `  memory        ${options.memory} MB, timeout ${options.timeout} s`,
    `  environment   ${env.length ? env.join(', ') : '(none)'}`,
    `  role          ${options.role ?? '(none: needed only if the function does not exist yet)'}`,
    `  response      ${options.streaming ? 'streaming (awslambda.streamifyResponse)' : 'buffered'}`,
    `  function URL  ${options.functionUrl === false ? 'none' : `${options.functionUrl === 'streaming' ? 'RESPONSE_STREAM' : 'BUFFERED'}, AuthType NONE (public), with invoke permissions`}`,
    `  steps         GetFunction → CreateFunction (if missing) or UpdateFunctionCode (if CodeSha256 differs) + UpdateFunctionConfiguration, waiting for each to finish` +
      (options.functionUrl === false ? '' : ' → GetFunctionUrlConfig → CreateFunctionUrlConfig + AddPermission, or UpdateFunctionUrlConfig'),
  ];
}

/**
 * Create or update the function (see the module comment).
 *
 * @example
 * await deployLambda({ zipPath: 'dist/lambda/function.zip', options: resolveLambdaOptions(config.lambda, root) });
 */
export async function deployLambda(deploy: DeployOptions): Promise<DeployReport> {
  const log = deploy.log ?? ((line: string) => console.log(line));
  const options = deploy.options;
  const functionName = options.functionName;
  if (!functionName) throw new PorticoError('PORTICO_BAD_OPTION', '"lambda.functionName" is not set and has no default here; set it in bundle.config.ts');
  if (!existsSync(deploy.zipPath)) {
    throw new PorticoError('PORTICO_LAMBDA_NO_ZIP', `${deploy.zipPath} does not exist; run portico bundle --target lambda first (or drop --skip-bundle)`);
  }
  const zip = readFileSync(deploy.zipPath);
  const sha = codeSha256(zip);
  const given = deploy.clientConfig?.region;
  const region = typeof given === 'string' ? { region: given, from: 'the client config' } : await lambdaRegion(options.region);
  if (deploy.dryRun) {
    for (const line of deployPlan(options, zip, region)) log(line);
    return { functionName, action: 'plan', codeSha256: sha, codeUpdated: false };
  }
  // Before any AWS call, so the error says where it looked instead of the SDK's "Region is missing".
  if (!region) throw noRegionError();
  if (zip.length > 50 * 1024 * 1024) {
    throw new PorticoError('PORTICO_LAMBDA_ZIP_TOO_LARGE', `function.zip is ${zip.length} bytes; Lambda takes at most 50 MB uploaded directly. Shrink the bundle (minify, fewer assets) or upload through S3`);
  }

  const sdk = await import('@aws-sdk/client-lambda');
  const client = new sdk.LambdaClient({ region: region.region, ...deploy.clientConfig });
  const waiterConfig = { client, maxWaitTime: deploy.maxWaitSeconds ?? 300, minDelay: 1, maxDelay: 5 };
  const config = {
    Runtime: options.runtime,
    Handler: LAMBDA_HANDLER,
    MemorySize: options.memory,
    Timeout: options.timeout,
    Environment: { Variables: options.environment },
  };

  try {
    let existing: { CodeSha256?: string; Architectures?: string[] } | undefined;
    try {
      existing = (await client.send(new sdk.GetFunctionCommand({ FunctionName: functionName }))).Configuration ?? {};
    } catch (error) {
      if (errorName(error) !== 'ResourceNotFoundException') throw error;
    }

    let action: 'create' | 'update';
    let codeUpdated = true;
    if (!existing) {
      if (!options.role) {
        throw new PorticoError(
          'PORTICO_LAMBDA_NO_ROLE',
          `function ${functionName} does not exist yet, and creating it needs an execution role; set lambda.role to an IAM role ARN (with AWSLambdaBasicExecutionRole) in bundle.config.ts`,
        );
      }
      action = 'create';
      log(`lambda: creating ${functionName} (${options.runtime}, ${options.memory} MB, ${zip.length} bytes)`);
      await client.send(
        new sdk.CreateFunctionCommand({
          FunctionName: functionName,
          Role: options.role,
          Code: { ZipFile: zip },
          PackageType: 'Zip',
          Architectures: [options.architecture],
          ...config,
        }),
      );
      await sdk.waitUntilFunctionActiveV2(waiterConfig, { FunctionName: functionName });
    } else {
      action = 'update';
      const archChanged = existing.Architectures !== undefined && existing.Architectures[0] !== options.architecture;
      if (existing.CodeSha256 === sha && !archChanged) {
        codeUpdated = false;
        log(`lambda: ${functionName} code unchanged (CodeSha256 ${sha})`);
      } else {
        log(`lambda: updating ${functionName} code (${zip.length} bytes)`);
        await client.send(new sdk.UpdateFunctionCodeCommand({ FunctionName: functionName, ZipFile: zip, Architectures: [options.architecture] }));
        await sdk.waitUntilFunctionUpdatedV2(waiterConfig, { FunctionName: functionName });
      }
      log(`lambda: updating ${functionName} configuration`);
      await client.send(new sdk.UpdateFunctionConfigurationCommand({ FunctionName: functionName, ...config, ...(options.role ? { Role: options.role } : {}) }));
      await sdk.waitUntilFunctionUpdatedV2(waiterConfig, { FunctionName: functionName });
    }

    let functionUrl: string | undefined;
    if (options.functionUrl !== false) {
      const InvokeMode = options.functionUrl === 'streaming' ? 'RESPONSE_STREAM' : 'BUFFERED';
      let current: { FunctionUrl?: string; InvokeMode?: string; AuthType?: string } | undefined;
      try {
        current = await client.send(new sdk.GetFunctionUrlConfigCommand({ FunctionName: functionName }));
      } catch (error) {
        if (errorName(error) !== 'ResourceNotFoundException') throw error;
      }
      if (!current) {
        log(`lambda: creating a public Function URL (${InvokeMode})`);
        current = await client.send(new sdk.CreateFunctionUrlConfigCommand({ FunctionName: functionName, AuthType: 'NONE', InvokeMode }));
        await addPermission(client, sdk, {
          FunctionName: functionName,
          StatementId: URL_PERMISSION_ID,
          Action: 'lambda:InvokeFunctionUrl',
          Principal: '*',
          FunctionUrlAuthType: 'NONE',
        });
        await addPermission(client, sdk, {
          FunctionName: functionName,
          StatementId: URL_INVOKE_PERMISSION_ID,
          Action: 'lambda:InvokeFunction',
          Principal: '*',
          InvokedViaFunctionUrl: true,
        });
      } else if (current.InvokeMode !== InvokeMode || current.AuthType !== 'NONE') {
        log(`lambda: updating the Function URL (${InvokeMode})`);
        current = await client.send(new sdk.UpdateFunctionUrlConfigCommand({ FunctionName: functionName, AuthType: 'NONE', InvokeMode }));
      }
      functionUrl = current.FunctionUrl;
    }
    log(`lambda: ${functionName} ${action === 'create' ? 'created' : 'updated'}${functionUrl ? `: ${functionUrl}` : ''}`);
    return { functionName, action, codeSha256: sha, codeUpdated, functionUrl };
  } catch (error) {
    throw explain(error, functionName);
  } finally {
    client.destroy();
  }
}

async function addPermission(client: { send(c: unknown): Promise<unknown> }, sdk: typeof import('@aws-sdk/client-lambda'), input: ConstructorParameters<typeof sdk.AddPermissionCommand>[0]): Promise<void> {
  try {
    await client.send(new sdk.AddPermissionCommand(input));
  } catch (error) {
    // The statement is already there (an earlier deploy): that is the state we want.
    if (errorName(error) !== 'ResourceConflictException') throw error;
  }
}

/** Turn the SDK's errors into one line that says what to do (the CLI prints a PorticoError without a stack). */
function explain(error: unknown, functionName: string): Error {
  const name = errorName(error);
  const message = ((error as Error)?.message ?? String(error)).split('\n')[0]!;
  if (error instanceof PorticoError) return error;
  if (name === 'CredentialsProviderError' || /Could not load credentials/i.test(message)) {
    return new PorticoError('PORTICO_AWS_NO_CREDENTIALS', `no AWS credentials found (${message}); set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run aws sso login`);
  }
  if (/Region is missing/i.test(message)) return noRegionError();
  if (name === 'AccessDeniedException' || name === 'UnrecognizedClientException' || name === 'InvalidSignatureException') {
    return new PorticoError('PORTICO_AWS_DENIED', `AWS refused the request for ${functionName} (${name}: ${message}); check the credentials and that they allow lambda:* on this function`);
  }
  return new PorticoError('PORTICO_LAMBDA_DEPLOY_FAILED', `${name || 'Error'}: ${message}; fix what AWS says, then run portico deploy --target lambda again`);
}
