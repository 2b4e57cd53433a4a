/**
 * Minimal in-tree shapes of the Lambda events and results portico reads and writes (STYLE §8:
 * the official `@types/aws-lambda` redeclares globals, so runtime code owns small types). Field
 * names and meanings follow the AWS documentation:
 *
 * - REST API proxy integration, payload 1.0:
 *   https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html
 * - HTTP API payload 1.0 / 2.0:
 *   https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
 * - Function URLs (payload 2.0): https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html
 * - ALB: https://docs.aws.amazon.com/elasticloadbalancing/latest/application/lambda-functions.html
 *
 * Type-only module: erased at build time.
 */

export type StringMap = Record<string, string | undefined>;
export type MultiMap = Record<string, string[] | undefined>;

/** API Gateway REST API (and HTTP API with payload format 1.0). */
export interface V1Event {
  version?: '1.0';
  resource?: string;
  path: string;
  httpMethod: string;
  headers?: StringMap | null;
  multiValueHeaders?: MultiMap | null;
  queryStringParameters?: StringMap | null;
  multiValueQueryStringParameters?: MultiMap | null;
  pathParameters?: StringMap | null;
  stageVariables?: StringMap | null;
  requestContext: {
    path?: string;
    stage?: string;
    domainName?: string;
    requestId?: string;
    identity?: { sourceIp?: string; [k: string]: unknown };
    [k: string]: unknown;
  };
  body?: string | null;
  isBase64Encoded?: boolean;
}

/** API Gateway HTTP API payload 2.0, and Lambda Function URLs (same shape). */
export interface V2Event {
  version: '2.0';
  routeKey?: string;
  rawPath: string;
  rawQueryString?: string;
  cookies?: string[];
  headers?: StringMap | null;
  queryStringParameters?: StringMap | null;
  requestContext: {
    domainName?: string;
    requestId?: string;
    stage?: string;
    http: { method: string; path?: string; protocol?: string; sourceIp?: string; userAgent?: string };
    [k: string]: unknown;
  };
  body?: string | null;
  isBase64Encoded?: boolean;
}

/** Application Load Balancer, multi-value headers off (`headers`) or on (`multiValueHeaders`). */
export interface AlbEvent {
  requestContext: { elb: { targetGroupArn: string } };
  httpMethod: string;
  path: string;
  headers?: StringMap;
  multiValueHeaders?: MultiMap;
  queryStringParameters?: StringMap;
  multiValueQueryStringParameters?: MultiMap;
  body?: string | null;
  isBase64Encoded?: boolean;
}

export type HttpEvent = V1Event | V2Event | AlbEvent;

/** The fields of the Lambda context object portico reads. */
export interface LambdaContext {
  awsRequestId: string;
  functionName?: string;
  getRemainingTimeInMillis?(): number;
  [k: string]: unknown;
}

export interface V1Result {
  statusCode: number;
  headers: Record<string, string>;
  multiValueHeaders?: Record<string, string[]>;
  body: string;
  isBase64Encoded: boolean;
}

export interface V2Result {
  statusCode: number;
  headers: Record<string, string>;
  cookies?: string[];
  body: string;
  isBase64Encoded: boolean;
}

/** ALB answers carry either `headers` or `multiValueHeaders`, matching the target group setting. */
export interface AlbResult {
  statusCode: number;
  statusDescription: string;
  headers?: Record<string, string>;
  multiValueHeaders?: Record<string, string[]>;
  body: string;
  isBase64Encoded: boolean;
}

export type LambdaResult = V1Result | V2Result | AlbResult;

/** The writable stream the runtime hands a streamified handler (a node Writable, plus setContentType). */
export interface ResponseStream {
  write(chunk: string | Uint8Array, cb?: (err?: Error | null) => void): boolean;
  end(cb?: () => void): unknown;
  once(event: 'drain' | 'error' | 'close' | 'finish', listener: (...args: unknown[]) => void): unknown;
  removeListener?(event: string, listener: (...args: unknown[]) => void): unknown;
  destroy?(err?: Error): unknown;
  setContentType?(type: string): void;
  readonly writableEnded?: boolean;
  readonly destroyed?: boolean;
}

/** The `awslambda` global the managed Node runtime defines (aws-lambda-ric `setupGlobals`). */
export interface AwsLambdaGlobal {
  streamifyResponse<H>(handler: H, options?: { highWaterMark?: number }): H;
  HttpResponseStream: {
    from(stream: ResponseStream, prelude: Record<string, unknown>): ResponseStream;
  };
}
