/**
 * The `cloudflare` options of bundle.config.ts, checked, and the wrangler.json written beside
 * the built worker. Build time only.
 *
 * Bindings use wrangler's own keys (`kv_namespaces`, `d1_databases`, ...) and go into
 * wrangler.json unchanged, so every binding kind wrangler knows works without portico knowing
 * it; portico only checks their outer shape, so a typo fails at bundle time, not at deploy.
 * https://developers.cloudflare.com/workers/wrangler/configuration/
 */
import { badOption, PorticoError } from '../../../src/config/errors.ts';

/**
 * Default compatibility date: fixed, so a build does not change behaviour by itself when the
 * calendar moves. workerd refuses dates newer than its own release, so this stays well behind it.
 */
export const DEFAULT_COMPATIBILITY_DATE = '2025-09-01';

/** `config.cloudflare`, as the user writes it. Every field is optional. */
export interface CloudflareOptions {
  /** Worker name. Default: the package.json name (scope dropped), else 'portico-app'. */
  name?: string;
  /** workerd compatibility date, 'YYYY-MM-DD'. Default DEFAULT_COMPATIBILITY_DATE. */
  compatibilityDate?: string;
  /** Extra compatibility flags. `nodejs_compat` is added by itself when the bundle imports `node:*`. Default []. */
  compatibilityFlags?: string[];
  /** Plain-text/JSON environment variables (`env.NAME`). Default {}. */
  vars?: Record<string, unknown>;
  /** wrangler binding sections, by wrangler's key: `{ kv_namespaces: [{ binding: 'KV', id: '...' }] }`. Default {}. */
  bindings?: Record<string, unknown>;
  /** Name of the static-assets binding (`env.ASSETS.fetch(request)`), or none. Default: none. */
  assetsBinding?: string;
  /** Cron triggers for the app's `scheduled` handler, e.g. ['*\/5 * * * *']. Default []. */
  crons?: string[];
}

/** The options after checking, defaults filled (except `name`, which needs the project root). */
export interface ResolvedCloudflareOptions {
  name: string | undefined;
  compatibilityDate: string;
  compatibilityFlags: string[];
  vars: Record<string, unknown>;
  bindings: Record<string, unknown>;
  assetsBinding: string | undefined;
  crons: string[];
}

const KNOWN_OPTIONS = new Set(['name', 'compatibilityDate', 'compatibilityFlags', 'vars', 'bindings', 'assetsBinding', 'crons']);

/**
 * wrangler.json keys accepted under `bindings`, each with the field naming the binding
 * (checked to be present in every entry). `null`: the section is an object, passed as is.
 */
const BINDING_SECTIONS: Record<string, string | null> = {
  kv_namespaces: 'binding',
  d1_databases: 'binding',
  r2_buckets: 'binding',
  services: 'binding',
  analytics_engine_datasets: 'binding',
  hyperdrive: 'binding',
  vectorize: 'binding',
  mtls_certificates: 'binding',
  dispatch_namespaces: 'binding',
  send_email: 'name',
  workflows: 'binding',
  secrets_store_secrets: 'binding',
  ratelimits: 'name',
  pipelines: 'binding',
  durable_objects: null,
  queues: null,
  ai: null,
  browser: null,
  images: null,
  version_metadata: null,
  migrations: null,
};

/** A JS identifier, as binding names end up as `env.NAME`. */
const BINDING_NAME = /^[A-Za-z_$][\w$]*$/;
/** Worker names: lowercase letters, digits and dashes, at most 63 characters (Cloudflare's rule). */
const WORKER_NAME = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * Check `config.cloudflare` and fill defaults. Throws PORTICO_BAD_OPTION naming the option.
 *
 * @example
 * resolveCloudflareOptions({ vars: { GREETING: 'hi' } }).compatibilityDate; // '2025-09-01'
 */
export function resolveCloudflareOptions(raw: unknown): ResolvedCloudflareOptions {
  if (raw == null) raw = {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw badOption('cloudflare', 'an object of options', raw);
  const o = raw as CloudflareOptions & Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!KNOWN_OPTIONS.has(key)) {
      const hint = key in BINDING_SECTIONS ? `; put wrangler binding sections under "cloudflare.bindings": { ${key}: [...] }` : `; known options: ${[...KNOWN_OPTIONS].join(', ')}`;
      throw new PorticoError('PORTICO_BAD_OPTION', `"cloudflare.${key}" is not an option${hint}`);
    }
  }
  if (o.name !== undefined && (typeof o.name !== 'string' || !WORKER_NAME.test(o.name))) {
    throw badOption('cloudflare.name', 'a worker name of lowercase letters, digits and dashes (at most 63)', o.name);
  }
  const compatibilityDate = o.compatibilityDate ?? DEFAULT_COMPATIBILITY_DATE;
  if (typeof compatibilityDate !== 'string' || !isDate(compatibilityDate)) {
    throw badOption('cloudflare.compatibilityDate', "a date as 'YYYY-MM-DD'", o.compatibilityDate);
  }
  const compatibilityFlags = o.compatibilityFlags ?? [];
  if (!Array.isArray(compatibilityFlags) || !compatibilityFlags.every((f) => typeof f === 'string' && /^[a-z0-9_]+$/.test(f))) {
    throw badOption('cloudflare.compatibilityFlags', "an array of flag names such as ['nodejs_compat']", o.compatibilityFlags);
  }
  const vars = o.vars ?? {};
  if (typeof vars !== 'object' || vars === null || Array.isArray(vars)) throw badOption('cloudflare.vars', 'an object of NAME: value', vars);
  for (const [name, value] of Object.entries(vars)) {
    if (!BINDING_NAME.test(name)) throw badOption(`cloudflare.vars key`, 'an identifier such as API_URL', name);
    if (value === undefined || typeof value === 'function' || typeof value === 'bigint' || typeof value === 'symbol') {
      throw badOption(`cloudflare.vars.${name}`, 'a string, number, boolean or JSON object', value);
    }
  }
  const bindings = o.bindings ?? {};
  if (typeof bindings !== 'object' || bindings === null || Array.isArray(bindings)) {
    throw badOption('cloudflare.bindings', "an object of wrangler binding sections, e.g. { kv_namespaces: [{ binding: 'KV', id: '…' }] }", bindings);
  }
  for (const [section, value] of Object.entries(bindings)) checkSection(section, value);
  const assetsBinding = o.assetsBinding;
  if (assetsBinding !== undefined && (typeof assetsBinding !== 'string' || !BINDING_NAME.test(assetsBinding))) {
    throw badOption('cloudflare.assetsBinding', "a binding name such as 'ASSETS'", assetsBinding);
  }
  const crons = o.crons ?? [];
  if (!Array.isArray(crons) || !crons.every((c) => typeof c === 'string' && c.trim().split(/\s+/).length >= 5)) {
    throw badOption('cloudflare.crons', "an array of cron expressions such as ['0 * * * *']", o.crons);
  }
  return {
    name: o.name,
    compatibilityDate,
    compatibilityFlags: [...compatibilityFlags],
    vars: { ...vars },
    bindings: { ...bindings },
    assetsBinding,
    crons: [...crons],
  };
}

function isDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value);
}

function checkSection(section: string, value: unknown): void {
  if (!(section in BINDING_SECTIONS)) {
    throw new PorticoError(
      'PORTICO_BAD_OPTION',
      `"cloudflare.bindings.${section}" is not a binding section portico knows; use one of ${Object.keys(BINDING_SECTIONS).join(', ')}`,
    );
  }
  const nameField = BINDING_SECTIONS[section] ?? null;
  if (nameField === null) {
    if (typeof value !== 'object' || value === null) throw badOption(`cloudflare.bindings.${section}`, "an object or array as in wrangler's configuration", value);
    return;
  }
  if (!Array.isArray(value)) throw badOption(`cloudflare.bindings.${section}`, `an array of { ${nameField}: 'NAME', ... }`, value);
  value.forEach((entry, i) => {
    const name = (entry as Record<string, unknown> | null)?.[nameField];
    if (typeof entry !== 'object' || entry === null || typeof name !== 'string' || !BINDING_NAME.test(name)) {
      throw badOption(`cloudflare.bindings.${section}[${i}].${nameField}`, "a binding name such as 'MY_BINDING'", name);
    }
  });
}

/**
 * A worker name from a package.json name: scope dropped, lowercased, other characters turned
 * into dashes; 'portico-app' when nothing usable is left.
 *
 * @example
 * workerNameFrom('@acme/Shop_API'); // 'shop-api'
 */
export function workerNameFrom(packageName: unknown): string {
  if (typeof packageName !== 'string') return 'portico-app';
  const name = packageName
    .replace(/^@[^/]*\//, '')
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '');
  return name || 'portico-app';
}

/** What the build found out, beside the options. */
export interface WorkerBuildFacts {
  /** Worker name, resolved. */
  name: string;
  /** Whether the bundle imports Node built-ins (so it needs `nodejs_compat`). */
  usesNodeBuiltins: boolean;
  /** Whether static assets were copied to `public/` beside worker.js. */
  hasAssets: boolean;
  /** Whether worker.js has a source map beside it. */
  sourcemap: boolean;
}

/**
 * The wrangler.json object. `main` is relative to the file itself; `no_bundle` because
 * worker.js is already bundled, and `find_additional_modules: false` so wrangler does not
 * upload files from public/ as modules as well as assets.
 *
 * @example
 * wranglerConfig(resolveCloudflareOptions({}), { name: 'hi', usesNodeBuiltins: false, hasAssets: false, sourcemap: false });
 * // { name: 'hi', main: 'worker.js', compatibility_date: '2025-09-01', no_bundle: true, ... }
 */
export function wranglerConfig(options: ResolvedCloudflareOptions, facts: WorkerBuildFacts): Record<string, unknown> {
  const flags = [...options.compatibilityFlags];
  if (facts.usesNodeBuiltins && !flags.includes('nodejs_compat')) flags.push('nodejs_compat');
  const config: Record<string, unknown> = {
    name: facts.name,
    main: 'worker.js',
    compatibility_date: options.compatibilityDate,
  };
  if (flags.length > 0) config.compatibility_flags = flags;
  config.no_bundle = true;
  config.find_additional_modules = false;
  if (facts.sourcemap) config.upload_source_maps = true;
  if (facts.hasAssets) {
    const assets: Record<string, unknown> = { directory: './public' };
    if (options.assetsBinding) assets.binding = options.assetsBinding;
    config.assets = assets;
  }
  if (Object.keys(options.vars).length > 0) config.vars = options.vars;
  Object.assign(config, options.bindings);
  if (options.crons.length > 0) config.triggers = { crons: options.crons };
  return config;
}
