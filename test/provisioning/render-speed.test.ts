/**
 * Rendering is on the HTTP hot path: templates are compiled once, at creation, and a render
 * reads no files. fs functions are instrumented (and synced into the ESM named exports) to
 * prove the second point.
 */
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import Handlebars from 'handlebars';
import t from 'tap';
import { extensions, renderer, spa112, spa303 } from './content-fixtures.js';

t.test('templates are compiled when the renderer is created, never per render', async (t) => {
  let compiles = 0;
  const originalCreate = Handlebars.create;
  Handlebars.create = () => {
    const hb = originalCreate();
    const precompile = hb.precompile.bind(hb);
    const compile = hb.compile.bind(hb);
    hb.precompile = ((...args: Parameters<typeof precompile>) => { compiles++; return precompile(...args); }) as typeof hb.precompile;
    hb.compile = ((...args: Parameters<typeof compile>) => { compiles++; return compile(...args); }) as typeof hb.compile;
    return hb;
  };
  t.teardown(() => { Handlebars.create = originalCreate; });
  const r = renderer();
  t.ok(compiles >= 5, `creation compiled the templates and partials (${compiles})`);
  const afterCreation = compiles;
  for (let i = 0; i < 200; i++) {
    r.renderDevice(spa303({ mac: (0x0011220000aa + i).toString(16).padStart(12, '0') }), extensions);
    r.renderDevice(spa112({ mac: (0x887500000000 + i).toString(16).padStart(12, '0') }), extensions, { withoutSecrets: i % 2 === 0 });
    r.renderBootstrap(i % 2 ? 'spa303' : 'spa112');
  }
  t.equal(compiles, afterCreation, 'no compilation while rendering');
});

t.test('10,000 renders read no files and stay fast', async (t) => {
  const r = renderer();
  // distinct MACs: every render misses the profile cache and runs the compiled template
  const macs = Array.from({ length: 10_000 }, (_, i) => (0x001122000000 + i).toString(16).padStart(12, '0'));
  const devices = macs.map((mac, i) => (i % 2 ? spa303({ mac, lines: ['10', '11', '12'].slice(0, 1 + (i % 3)) }) : spa112({ mac })));
  const reads: string[] = [];
  const original = { readFileSync: fs.readFileSync, readdirSync: fs.readdirSync, existsSync: fs.existsSync, statSync: fs.statSync };
  const spy = <F extends (...a: never[]) => unknown>(name: string, fn: F) =>
    ((...args: Parameters<F>) => { reads.push(`${name}(${String(args[0])})`); return fn(...args); }) as unknown as F;
  const mutableFs = fs as unknown as Record<string, unknown>; // some fs typings are readonly
  mutableFs.readFileSync = spy('readFileSync', original.readFileSync);
  mutableFs.readdirSync = spy('readdirSync', original.readdirSync);
  mutableFs.existsSync = spy('existsSync', original.existsSync);
  mutableFs.statSync = spy('statSync', original.statSync);
  syncBuiltinESMExports();
  t.teardown(() => {
    Object.assign(fs, original);
    syncBuiltinESMExports();
  });

  // the instrumentation works: creating a renderer reads the templates
  renderer();
  t.ok(reads.some((r) => r.includes('spa303.xml.hbs')), 'creation reads the templates');
  reads.length = 0;

  const started = process.hrtime.bigint();
  let bytes = 0;
  for (let i = 0; i < 10_000; i++) {
    bytes += r.renderDevice(devices[i]!, extensions).body.length;
    if (i % 1000 === 0) bytes += r.renderBootstrap(i % 2000 === 0 ? 'spa303' : 'spa112').body.length;
  }
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  t.same(reads, [], 'no file system access while rendering');
  t.ok(bytes > 10_000 * 2000, 'profiles were rendered');
  // generous bound for a shared 2-core machine: ~0.1–0.2 ms per uncached profile is typical
  t.ok(ms < 30_000, `10,000 uncached renders took ${ms.toFixed(0)} ms`);

  const again = process.hrtime.bigint();
  for (let i = 0; i < 10_000; i++) r.renderDevice(devices[i % 100]!, extensions);
  const cachedMs = Number(process.hrtime.bigint() - again) / 1e6;
  t.ok(cachedMs < ms, `10,000 repeat renders (cached) took ${cachedMs.toFixed(0)} ms`);
  t.same(reads, [], 'still no file system access');
});

t.test('the profile cache never serves stale content', async (t) => {
  const r = renderer();
  const base = spa303({ lines: ['10', '11'], functionKeys: [{ key: 3, kind: 'blf', target: '21' }] });
  const first = r.renderDevice(base, extensions);
  t.equal(r.renderDevice({ ...base }, new Map(extensions)), first, 'equal inputs give the cached profile');
  const changedExt = (number: string, patch: object) => new Map([...extensions].map(([k, v]) => [k, k === number ? { ...v, ...patch } : v]));
  const variants: Array<[string, () => string]> = [
    ['SIP password', () => r.renderDevice(base, changedExt('11', { sipPassword: 'rotated' })).params.Password_2_!],
    ['display name', () => r.renderDevice(base, changedExt('10', { displayName: 'Renamed' })).params.Display_Name_1_!],
    ['BLF target name', () => r.renderDevice(base, changedExt('21', { displayName: 'Ann' })).params.Extended_Function_3_!],
    ['admin password', () => r.renderDevice({ ...base, adminPassword: 'NewAdmin' }, extensions).params.Admin_Passwd!],
    ['token', () => r.renderDevice({ ...base, provisioningToken: 'Another_token_123456' }, extensions).params.Profile_Rule!],
    ['lines', () => r.renderDevice({ ...base, lines: ['10'] }, extensions).params.Line_Enable_2_!],
    ['region', () => r.renderDevice({ ...base, region: 'us' }, extensions).params.Dial_Tone!],
    ['label', () => r.renderDevice({ ...base, label: 'Desk' }, extensions).params.Station_Name!],
  ];
  const expected = ['rotated', 'Renamed', 'fnc=blf+sd+cp;sub=21@192.0.2.10;nme=Ann', 'NewAdmin',
    'http://192.0.2.10:8080/spa/d/Another_token_123456/$MA.xml', 'No', '350@-19,440@-19;10(*/0/1+2)', 'Desk'];
  variants.forEach(([label, render], i) => t.equal(render(), expected[i], label));
  const report = { mac: base.mac, firmware: '7.5.5', params: {}, receivedAt: '' };
  t.ok(r.renderDevice(base, extensions, { report }).params.Upgrade_Rule, 'reported firmware');
  t.equal(r.renderDevice(base, extensions, { maskSecrets: true }).params.Admin_Passwd, '(secret)', 'mask');
  t.equal(r.renderDevice(base, extensions).params.Admin_Passwd, 'AdminPw-303', 'unmasked again');
  r.updateSettings({ timezone: 'Europe/London' });
  t.equal(r.renderDevice(base, extensions).params.Time_Zone, 'GMT+00:00', 'settings update clears the cache');
  t.equal(r.renderBootstrap('spa303').params.Profile_Rule, 'http://192.0.2.10:8080/spa/$MA.xml');
});
