/**
 * A stand-in for the Lambda control-plane API on 127.0.0.1, for deploy tests: it answers the
 * REST-JSON operations portico's deploy uses (paths and methods from the Lambda API
 * reference, as @aws-sdk/client-lambda sends them), keeps functions in memory, and verifies
 * every request's AWS Signature Version 4 against the test credentials (the SigV4 signing
 * process: canonical request, string to sign, HMAC chain over date/region/service).
 *
 * Test tooling.
 */
import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export const TEST_CREDENTIALS = { accessKeyId: 'AKIDPORTICOTEST', secretAccessKey: 'portico/test/secret/key/0000000000000000' };

export interface RecordedRequest {
  method: string;
  path: string;
  operation: string;
  body: any;
  authorization: string;
  signatureValid: boolean;
}

interface FakeFunction {
  config: Record<string, any>;
  zip: Buffer;
  pendingPolls: number;
  url?: Record<string, any>;
  policy: Record<string, any>[];
}

const ROUTES: [string, RegExp, string][] = [
  ['GET', /^\/2015-03-31\/functions\/([^/]+)$/, 'GetFunction'],
  ['GET', /^\/2015-03-31\/functions\/([^/]+)\/configuration$/, 'GetFunctionConfiguration'],
  ['POST', /^\/2015-03-31\/functions$/, 'CreateFunction'],
  ['PUT', /^\/2015-03-31\/functions\/([^/]+)\/code$/, 'UpdateFunctionCode'],
  ['PUT', /^\/2015-03-31\/functions\/([^/]+)\/configuration$/, 'UpdateFunctionConfiguration'],
  ['GET', /^\/2021-10-31\/functions\/([^/]+)\/url$/, 'GetFunctionUrlConfig'],
  ['POST', /^\/2021-10-31\/functions\/([^/]+)\/url$/, 'CreateFunctionUrlConfig'],
  ['PUT', /^\/2021-10-31\/functions\/([^/]+)\/url$/, 'UpdateFunctionUrlConfig'],
  ['POST', /^\/2015-03-31\/functions\/([^/]+)\/policy$/, 'AddPermission'],
];

function sha256hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

/** Recompute the SigV4 signature of `req` and compare. */
export function verifySigV4(method: string, rawUrl: string, headers: IncomingMessage['headers'], body: Buffer, secret: string): boolean {
  const auth = String(headers.authorization ?? '');
  const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(auth);
  if (!m) return false;
  const [, , date, region, service, signedHeaders, signature] = m;
  const amzDate = String(headers['x-amz-date'] ?? '');
  const q = rawUrl.indexOf('?');
  const path = q === -1 ? rawUrl : rawUrl.slice(0, q);
  const query = q === -1 ? '' : rawUrl.slice(q + 1).split('&').filter(Boolean).sort().join('&');
  // Non-S3 services sign the path URI-encoded once more (each segment's % becomes %25).
  const canonicalPath = path.split('/').map((s) => encodeURIComponent(s)).join('/');
  const canonicalHeaders = signedHeaders!.split(';').map((h) => `${h}:${String(headers[h] ?? '').trim().replace(/\s+/g, ' ')}\n`).join('');
  const canonicalRequest = [method, canonicalPath, query, canonicalHeaders, signedHeaders, sha256hex(body)].join('\n');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256hex(canonicalRequest)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, date!), region!), service!), 'aws4_request');
  return createHmac('sha256', key).update(stringToSign).digest('hex') === signature;
}

/**
 * @example
 * const api = await FakeLambdaApi.start();
 * new LambdaClient({ endpoint: api.endpoint, region: 'us-east-1', credentials: TEST_CREDENTIALS });
 */
export class FakeLambdaApi {
  readonly server: Server;
  readonly endpoint: string;
  readonly requests: RecordedRequest[] = [];
  readonly functions = new Map<string, FakeFunction>();
  /** GetFunction answers State Pending / LastUpdateStatus InProgress this many times after each change. */
  pendingPolls = 1;

  private constructor(server: Server) {
    this.server = server;
    this.endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  static async start(): Promise<FakeLambdaApi> {
    let api: FakeLambdaApi | undefined;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const { status, body, errorType } = api!.#handle(req, Buffer.concat(chunks));
        const text = JSON.stringify(body ?? {});
        res.writeHead(status, {
          'content-type': 'application/json',
          'x-amzn-requestid': '00000000-0000-0000-0000-000000000000',
          ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
        });
        res.end(text);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    api = new FakeLambdaApi(server);
    return api;
  }

  operations(): string[] {
    return this.requests.map((r) => r.operation);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  #handle(req: IncomingMessage, raw: Buffer): { status: number; body?: unknown; errorType?: string } {
    const url = req.url ?? '';
    const path = url.split('?')[0]!;
    const route = ROUTES.find(([method, re]) => method === req.method && re.test(path));
    const operation = route?.[2] ?? `${req.method} ${path}`;
    const body = raw.length ? JSON.parse(raw.toString('utf8')) : undefined;
    const signatureValid = verifySigV4(req.method ?? '', url, req.headers, raw, TEST_CREDENTIALS.secretAccessKey);
    this.requests.push({ method: req.method ?? '', path, operation, body, authorization: String(req.headers.authorization ?? ''), signatureValid });
    if (!signatureValid) return { status: 403, errorType: 'InvalidSignatureException', body: { message: 'The request signature we calculated does not match' } };
    if (!route) return { status: 404, errorType: 'UnknownOperationException', body: { message: `no route ${operation}` } };
    const name = decodeURIComponent(route[1].exec(path)?.[1] ?? body?.FunctionName ?? '');
    const fn = this.functions.get(name);
    const notFound = { status: 404, errorType: 'ResourceNotFoundException', body: { Type: 'User', Message: `Function not found: ${name}` } };
    const view = (f: FakeFunction) => {
      const busy = f.pendingPolls > 0;
      if (busy) f.pendingPolls--;
      return { ...f.config, State: busy && f.config.State === 'Pending' ? 'Pending' : 'Active', LastUpdateStatus: busy ? 'InProgress' : 'Successful' };
    };
    switch (operation) {
      case 'GetFunction':
        if (!fn) return notFound;
        return { status: 200, body: { Configuration: view(fn), Code: { RepositoryType: 'S3', Location: 'https://example.invalid/code.zip' } } };
      case 'GetFunctionConfiguration':
        return fn ? { status: 200, body: view(fn) } : notFound;
      case 'CreateFunction': {
        if (this.functions.has(body.FunctionName)) return { status: 409, errorType: 'ResourceConflictException', body: { message: 'Function already exist' } };
        const zip = Buffer.from(body.Code.ZipFile, 'base64');
        const config = { ...body, Code: undefined, CodeSha256: createHash('sha256').update(zip).digest('base64'), CodeSize: zip.length, State: 'Pending', FunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${body.FunctionName}` };
        this.functions.set(body.FunctionName, { config, zip, pendingPolls: this.pendingPolls, policy: [] });
        return { status: 201, body: config };
      }
      case 'UpdateFunctionCode': {
        if (!fn) return notFound;
        fn.zip = Buffer.from(body.ZipFile, 'base64');
        fn.config.CodeSha256 = createHash('sha256').update(fn.zip).digest('base64');
        fn.config.CodeSize = fn.zip.length;
        fn.pendingPolls = this.pendingPolls;
        return { status: 200, body: fn.config };
      }
      case 'UpdateFunctionConfiguration':
        if (!fn) return notFound;
        Object.assign(fn.config, body);
        fn.pendingPolls = this.pendingPolls;
        return { status: 200, body: fn.config };
      case 'GetFunctionUrlConfig':
        return fn?.url ? { status: 200, body: fn.url } : { ...notFound, body: { Type: 'User', Message: 'The resource you requested does not exist.' } };
      case 'CreateFunctionUrlConfig':
      case 'UpdateFunctionUrlConfig':
        if (!fn) return notFound;
        fn.url = { FunctionArn: fn.config.FunctionArn, FunctionUrl: `https://${name.toLowerCase()}0url.lambda-url.us-east-1.on.aws/`, AuthType: body.AuthType, InvokeMode: body.InvokeMode, CreationTime: '2026-01-01T00:00:00.000+0000' };
        return { status: operation === 'CreateFunctionUrlConfig' ? 201 : 200, body: fn.url };
      case 'AddPermission':
        if (!fn) return notFound;
        if (fn.policy.some((p) => p.StatementId === body.StatementId)) return { status: 409, errorType: 'ResourceConflictException', body: { message: 'The statement id provided already exists' } };
        fn.policy.push(body);
        return { status: 201, body: { Statement: JSON.stringify(body) } };
    }
    return { status: 500, body: {} };
  }
}
