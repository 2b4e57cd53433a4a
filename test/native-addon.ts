/**
 * A tiny N-API addon package, compiled here with g++ (Debian's g++, in .ci/apt-packages) against
 * the running Node's headers: what the native-addon handling of the Node-based targets is
 * tested with.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Write `node_modules/hello-addon` under `appDir`: `require('hello-addon').hello()` returns
 * 'native says hi'.
 *
 * @example
 * makeHelloAddon('/tmp/app');
 * writeFileSync('/tmp/app/app.ts', "import addon from 'hello-addon'; ...");
 */
export function makeHelloAddon(appDir: string): void {
  const pkg = join(appDir, 'node_modules/hello-addon');
  mkdirSync(join(pkg, 'build/Release'), { recursive: true });
  writeFileSync(
    join(pkg, 'hello.c'),
    `#include <node_api.h>
static napi_value Hello(napi_env env, napi_callback_info info) { napi_value s; napi_create_string_utf8(env, "native says hi", NAPI_AUTO_LENGTH, &s); return s; }
NAPI_MODULE_INIT() { napi_value fn; napi_create_function(env, "hello", NAPI_AUTO_LENGTH, Hello, NULL, &fn); napi_set_named_property(env, exports, "hello", fn); return exports; }
`,
  );
  const includeDir = join(process.execPath, '../../include/node');
  const cc = spawnSync('g++', ['-x', 'c', '-shared', '-fPIC', `-I${includeDir}`, '-I/usr/include/node', '-o', join(pkg, 'build/Release/hello.node'), join(pkg, 'hello.c')], { encoding: 'utf8' });
  assert.equal(cc.status, 0, `g++ (Debian package g++, in .ci/apt-packages) failed: ${cc.error?.message ?? cc.stderr}`);
  writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: 'hello-addon', main: 'index.js' }));
  writeFileSync(join(pkg, 'index.js'), "module.exports = require('./build/Release/hello.node');\n");
}
