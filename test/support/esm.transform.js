/**
 * Jest transformer for the ESM-only packages of node_modules (@nestjs/* 12 ships only ESM).
 *
 * Node 20 loads them with require(esm), but Jest's own module loader supports that only on
 * Node ≥ 24.9, so under Jest they are transpiled to CommonJS with the TypeScript compiler that
 * the project already has. Files of CommonJS packages pass through unchanged.
 */
'use strict';
const { createHash } = require('node:crypto');
const { existsSync, readFileSync } = require('node:fs');
const { dirname, join } = require('node:path');
const ts = require('typescript');

const self = readFileSync(__filename, 'utf8');
const typeByDir = new Map();

function packageType(dir) {
  if (typeByDir.has(dir)) return typeByDir.get(dir);
  const manifest = join(dir, 'package.json');
  let type;
  if (existsSync(manifest)) type = JSON.parse(readFileSync(manifest, 'utf8')).type ?? 'commonjs';
  else type = dirname(dir) === dir ? 'commonjs' : packageType(dirname(dir));
  typeByDir.set(dir, type);
  return type;
}

function isEsm(filename) {
  if (filename.endsWith('.mjs')) return true;
  if (filename.endsWith('.cjs')) return false;
  return packageType(dirname(filename)) === 'module';
}

/**
 * ESM code may declare its own `const require = createRequire(import.meta.url)`, which would
 * clash with the `require` of the CommonJS wrapper: such a file's own `require` is renamed. And
 * `import.meta` does not exist in CommonJS: its `url`, `resolve()`, `dirname` and `filename`
 * (all these packages use) become their CommonJS equivalents.
 */
function toCommonJsSource(source) {
  let patched = source;
  if (/\b(?:const|let|var)\s+require\b/.test(patched)) {
    patched = patched.replace(/(?<![.\w$])require(?=\s*[(=])/g, '__esmRequire');
  }
  return patched
    .replace(/\bimport\.meta\.url\b/g, "require('node:url').pathToFileURL(__filename).href")
    .replace(/\bimport\.meta\.resolve\(/g, "((s) => require('node:url').pathToFileURL(require.resolve(s)).href)(")
    .replace(/\bimport\.meta\.dirname\b/g, '__dirname')
    .replace(/\bimport\.meta\.filename\b/g, '__filename');
}

module.exports = {
  // The transformer's own source is part of the key, so that changing it invalidates the cache.
  getCacheKey(source, filename) {
    return createHash('sha256').update(self).update(filename).update(source).update(ts.version).digest('hex');
  },

  process(source, filename) {
    if (!isEsm(filename)) return { code: source };
    const { outputText, sourceMapText } = ts.transpileModule(toCommonJsSource(source), {
      fileName: filename,
      compilerOptions: {
        module: ts.ModuleKind.CommonJS,
        target: ts.ScriptTarget.ES2022,
        allowJs: true,
        esModuleInterop: true,
        sourceMap: true,
      },
    });
    return { code: outputText, map: sourceMapText };
  },
};
