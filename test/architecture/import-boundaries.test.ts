/**
 * The layering rules of design.md, checked on every run: a boundary that only lives in a
 * document erodes, one that fails a test does not.
 */
import t from 'tap';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const srcDir = join(root, 'src');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return full.endsWith('.ts') ? [full] : [];
  });
}

interface Import { file: string; spec: string; target: string | null }

const importPattern = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function importsOf(file: string): Import[] {
  const text = readFileSync(file, 'utf8');
  const found: Import[] = [];
  for (const m of text.matchAll(importPattern)) {
    const spec = m[1] ?? m[2]!;
    const target = spec.startsWith('.') ? relative(srcDir, resolve(dirname(file), spec)) : null;
    found.push({ file: relative(srcDir, file), spec, target });
  }
  return found;
}

const all = sourceFiles(srcDir).flatMap(importsOf);
const feature = (path: string) => path.split('/')[0] ?? '';

t.test('only src/data/ touches better-sqlite3', async (t) => {
  const offenders = all.filter((i) => i.spec === 'better-sqlite3' && feature(i.file) !== 'data');
  t.same(offenders.map((i) => i.file), []);
});

const forbidden: Array<[string, string[], string]> = [
  ['sip', ['pbx', 'provisioning', 'web', 'data', 'media', 'cli'], 'the SIP server knows nothing of the PBX or the rest of Hookflash'],
  ['pbx', ['sip', 'web', 'cli', 'provisioning'], 'the PBX talks to SIP only through drachtio-srf'],
  ['provisioning', ['pbx', 'web', 'cli', 'sip'], 'provisioning never imports the PBX or the web UI'],
  ['media', ['sip', 'pbx', 'web', 'cli', 'provisioning', 'data'], 'media knows nothing of signalling'],
  ['data', ['pbx', 'web', 'cli', 'provisioning', 'sip', 'media'], 'data is the bottom layer'],
];

for (const [from, targets, why] of forbidden) {
  t.test(`${from}/ does not import ${targets.join(', ')}`, async (t) => {
    const offenders = all.filter(
      (i) => feature(i.file) === from && i.target !== null && targets.includes(feature(i.target)),
    );
    t.same(offenders.map((i) => `${i.file} -> ${i.spec}`), [], why);
  });
}

t.test('every package src/ imports is a runtime dependency', async (t) => {
  const missing = all
    .filter((i) => i.target === null && !i.spec.startsWith('node:'))
    .map((i) => (i.spec.startsWith('@') ? i.spec.split('/').slice(0, 2).join('/') : i.spec.split('/')[0]!))
    .filter((name) => !(name in pkg.dependencies));
  t.same([...new Set(missing)], [], 'declared in package.json "dependencies" (not devDependencies)');
});

t.test('the scan sees the code base', async (t) => {
  // Guards the checks above against passing vacuously (e.g. a broken import regex).
  t.ok(all.length > 20, `found ${all.length} imports`);
  t.ok(all.some((i) => i.spec === 'better-sqlite3'), 'sees the better-sqlite3 import in src/data');
});
