/**
 * The `lambda` options of bundle.config.ts: their types, defaults and checks. Each check names
 * the option and the fix; the limits are AWS's (CreateFunction API reference: MemorySize
 * 128–10240, Timeout 1–900, FunctionName 1–64 of [A-Za-z0-9-_]; "Defined runtime environment
 * variables" lists the reserved names).
 *
 * Build time only.
 */
import { basename, join } from 'node:path';
import { readFileSync } from 'node:fs';
import { badOption, PorticoError } from '../../../src/config/errors.ts';
import { CACHE_CONTROL_EXPECTED, isCacheControlOption } from '../../../src/bundle/static-manifest.ts';

/** Node runtimes this target builds for (the bundle targets node20, so all of them run it). */
export const LAMBDA_RUNTIMES = ['nodejs20.x', 'nodejs22.x', 'nodejs24.x'] as const;
export type LambdaRuntime = (typeof LAMBDA_RUNTIMES)[number];

/** How a Function URL answers: 'buffered' (InvokeMode BUFFERED) or 'streaming' (RESPONSE_STREAM). */
export type FunctionUrlMode = false | 'buffered' | 'streaming';

/** `config.lambda` as a user writes it. Every field is optional. */
export interface LambdaTargetOptions {
  /** Wrap the handler in `awslambda.streamifyResponse` (response streaming). Default: true when functionUrl is 'streaming', else false. */
  streaming?: boolean;
  /** Media types whose response bodies go base64 (the runtime's `binary` option), e.g. ['image/*', 'application/pdf']. Default: the runtime's rule (every type that is not text). */
  binary?: string[];
  /** Mount point of the app inside the function's URL space (passed to the runtime). Default: the top-level basePath. */
  basePath?: string;
  /** Memory in MB, 128–10240. Default 1024 (Lambda gives CPU in proportion to memory). */
  memory?: number;
  /** Timeout in seconds, 1–900. Default 30. */
  timeout?: number;
  /** Lambda runtime identifier. Default 'nodejs24.x'. */
  runtime?: LambdaRuntime;
  /** Instruction set: 'x86_64' or 'arm64'; native addons must match it. Default 'x86_64'. */
  architecture?: 'x86_64' | 'arm64';
  /** Function name. Default: package.json "name" of the project root (scope dropped), else its folder name. */
  functionName?: string;
  /** IAM role ARN the function runs as; needed to create the function, not to update it. Default: none. */
  role?: string;
  /** Environment variables of the function. Default {}. */
  environment?: Record<string, string>;
  /** Create a Function URL: false, 'buffered' or 'streaming'. Default false. */
  functionUrl?: FunctionUrlMode;
  /** AWS region. Default: the SDK's default chain (AWS_REGION, ~/.aws/config). */
  region?: string;
  /** `request.signal` aborts this many ms before the invocation deadline (the runtime's option); negative: never. Default 1000. */
  deadlineMargin?: number;
  /** ALB with multi-value headers off can carry one Set-Cookie: 'first' (log the rest) or 'case-variants' (the runtime's option). Default 'first'. */
  albSetCookie?: 'first' | 'case-variants';
  /** Cache-Control of files served from public/: one value, or path prefix → value (longest prefix wins). Default: none. */
  staticCacheControl?: string | Record<string, string>;
}

/** The options after defaults and checks. */
export interface ResolvedLambdaOptions {
  streaming: boolean;
  binary: string[] | undefined;
  basePath: string | undefined;
  memory: number;
  timeout: number;
  runtime: LambdaRuntime;
  architecture: 'x86_64' | 'arm64';
  functionName: string | undefined;
  role: string | undefined;
  environment: Record<string, string>;
  functionUrl: FunctionUrlMode;
  region: string | undefined;
  deadlineMargin: number | undefined;
  albSetCookie: 'first' | 'case-variants' | undefined;
  staticCacheControl: string | Record<string, string> | undefined;
}

const KEYS = ['streaming', 'binary', 'basePath', 'memory', 'timeout', 'runtime', 'architecture', 'functionName', 'role', 'environment', 'functionUrl', 'region', 'deadlineMargin', 'albSetCookie', 'staticCacheControl'];

/** Names Lambda sets itself and refuses in a function's environment. */
const RESERVED_ENV = new Set([
  '_HANDLER', '_X_AMZN_TRACE_ID', 'AWS_DEFAULT_REGION', 'AWS_REGION', 'AWS_EXECUTION_ENV', 'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE', 'AWS_LAMBDA_FUNCTION_VERSION', 'AWS_LAMBDA_INITIALIZATION_TYPE', 'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME', 'AWS_ACCESS_KEY', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN',
  'AWS_LAMBDA_RUNTIME_API', 'LAMBDA_TASK_ROOT', 'LAMBDA_RUNTIME_DIR',
]);

function bad(name: string, expected: string, got: unknown): PorticoError {
  return badOption(`lambda.${name}`, expected, got);
}

/**
 * Check `config.lambda` and fill defaults. `root` is used for the default function name.
 *
 * @example
 * resolveLambdaOptions({ memory: 512, functionUrl: 'streaming' }, '/app');
 * // { memory: 512, streaming: true, functionUrl: 'streaming', runtime: 'nodejs24.x', timeout: 30, ... }
 */
export function resolveLambdaOptions(input: unknown, root?: string): ResolvedLambdaOptions {
  if (input === undefined || input === null) input = {};
  if (typeof input !== 'object' || Array.isArray(input)) throw badOption('lambda', 'an object of options', input);
  const o = input as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!KEYS.includes(key)) {
      const near = KEYS.find((k) => k.toLowerCase() === key.toLowerCase());
      throw new PorticoError('PORTICO_BAD_OPTION', `unknown option "lambda.${key}"${near ? `; did you mean "lambda.${near}"?` : ''} (known: ${KEYS.join(', ')})`);
    }
  }
  const functionUrl = o.functionUrl ?? false;
  if (functionUrl !== false && functionUrl !== 'buffered' && functionUrl !== 'streaming') throw bad('functionUrl', "false, 'buffered' or 'streaming'", functionUrl);
  const streaming = o.streaming ?? functionUrl === 'streaming';
  if (typeof streaming !== 'boolean') throw bad('streaming', 'true or false', streaming);
  if (functionUrl === 'streaming' && !streaming) {
    throw new PorticoError('PORTICO_BAD_OPTION', `"lambda.functionUrl" is 'streaming' but "lambda.streaming" is false; a RESPONSE_STREAM Function URL needs a streaming handler: set streaming: true or functionUrl: 'buffered'`);
  }
  if (o.binary !== undefined && !(Array.isArray(o.binary) && o.binary.every((t) => typeof t === 'string' && t.includes('/')))) {
    throw bad('binary', "a list of media types such as ['image/*', 'application/pdf']", o.binary);
  }
  if (o.basePath !== undefined && (typeof o.basePath !== 'string' || /[?#\s]/.test(o.basePath))) throw bad('basePath', 'a path such as "/shop"', o.basePath);
  const memory = o.memory ?? 1024;
  if (!Number.isInteger(memory) || (memory as number) < 128 || (memory as number) > 10240) throw bad('memory', 'a whole number of MB from 128 to 10240', memory);
  const timeout = o.timeout ?? 30;
  if (!Number.isInteger(timeout) || (timeout as number) < 1 || (timeout as number) > 900) throw bad('timeout', 'a whole number of seconds from 1 to 900', timeout);
  const runtime = o.runtime ?? 'nodejs24.x';
  if (!(LAMBDA_RUNTIMES as readonly unknown[]).includes(runtime)) throw bad('runtime', `one of ${LAMBDA_RUNTIMES.map((r) => `'${r}'`).join(', ')}`, runtime);
  const architecture = o.architecture ?? 'x86_64';
  if (architecture !== 'x86_64' && architecture !== 'arm64') throw bad('architecture', "'x86_64' or 'arm64'", architecture);
  const functionName = o.functionName ?? (root ? defaultFunctionName(root) : undefined);
  if (functionName !== undefined && (typeof functionName !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(functionName))) {
    throw bad('functionName', '1 to 64 letters, digits, "-" or "_"', functionName);
  }
  if (o.role !== undefined && (typeof o.role !== 'string' || !/^arn:aws[a-zA-Z-]*:iam::\d{12}:role\/.+$/.test(o.role))) {
    throw bad('role', 'an IAM role ARN such as "arn:aws:iam::123456789012:role/my-lambda-role"', o.role);
  }
  const environment = o.environment ?? {};
  if (typeof environment !== 'object' || environment === null || Array.isArray(environment)) throw bad('environment', 'an object of string values', environment);
  for (const [k, v] of Object.entries(environment)) {
    if (!/^[a-zA-Z]\w+$/.test(k)) throw bad(`environment.${k}`, 'named by a letter then at least one more letter, digit or "_" (Lambda\'s pattern [a-zA-Z]([a-zA-Z0-9_])+)', k);
    if (RESERVED_ENV.has(k)) throw new PorticoError('PORTICO_BAD_OPTION', `"lambda.environment.${k}" is reserved by Lambda, which sets it itself; remove it or rename it`);
    if (typeof v !== 'string') throw bad(`environment.${k}`, 'a string (write numbers and booleans as text)', v);
  }
  if (o.region !== undefined && (typeof o.region !== 'string' || !/^[a-z]{2}(-[a-z]+)+-\d+$/.test(o.region))) throw bad('region', 'an AWS region such as "us-east-1"', o.region);
  if (o.deadlineMargin !== undefined && (typeof o.deadlineMargin !== 'number' || !Number.isFinite(o.deadlineMargin))) {
    throw bad('deadlineMargin', 'a number of milliseconds such as 1000 (negative: never abort request.signal)', o.deadlineMargin);
  }
  if (o.albSetCookie !== undefined && o.albSetCookie !== 'first' && o.albSetCookie !== 'case-variants') {
    throw bad('albSetCookie', "'first' or 'case-variants'", o.albSetCookie);
  }
  if (o.staticCacheControl !== undefined && !isCacheControlOption(o.staticCacheControl)) throw bad('staticCacheControl', CACHE_CONTROL_EXPECTED, o.staticCacheControl);
  return {
    staticCacheControl: o.staticCacheControl as string | Record<string, string> | undefined,
    deadlineMargin: o.deadlineMargin as number | undefined,
    albSetCookie: o.albSetCookie as 'first' | 'case-variants' | undefined,
    streaming,
    binary: o.binary as string[] | undefined,
    basePath: o.basePath as string | undefined,
    memory: memory as number,
    timeout: timeout as number,
    runtime: runtime as LambdaRuntime,
    architecture,
    functionName: functionName as string | undefined,
    role: o.role as string | undefined,
    environment: { ...(environment as Record<string, string>) },
    functionUrl,
    region: o.region as string | undefined,
  };
}

/** The package name without its scope, cleaned to Lambda's alphabet; else the folder name. */
function defaultFunctionName(root: string): string {
  let name = '';
  try {
    name = String(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).name ?? '');
  } catch {
    // no package.json: use the folder name
  }
  name = (name.replace(/^@[^/]+\//, '') || basename(root)).replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 64);
  return name || 'portico-app';
}
