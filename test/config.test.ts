import t from 'tap';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { loadConfig, ENV_VARS } from '../src/config.js';
import { ConfigError } from '../src/errors.js';

const noEnv = {};

t.test('defaults', (t) => {
  const c = loadConfig({ env: noEnv, cwd: '/srv/hf' });
  t.equal(c.dataDir, '/srv/hf/data', 'dataDir resolved against cwd');
  t.equal(c.http.port, 8080);
  t.equal(c.tftp.port, 69);
  t.equal(c.sip.port, 5060);
  t.equal(c.sip.server, 'embedded');
  t.equal(c.sip.controlHost, '127.0.0.1');
  t.equal(c.sip.controlPort, 9022);
  t.same(c.sip.timers, { t1Ms: 500, t2Ms: 4000, t4Ms: 5000 });
  t.equal(c.sip.maxMessageBytes, 65535);
  t.equal(c.sip.maxHeaders, 200);
  t.equal(c.sip.domain, null);
  t.same(c.provisioning, {
    allowCidrs: [], resyncPeriodicSeconds: 3600, resyncErrorRetrySeconds: 300, resyncRandomDelay: 2,
    timezone: 'Europe/Warsaw', ntpServer: 'pool.ntp.org', region: 'pl', maxReportBytes: 1048576,
    notFoundLimit: { max: 20, windowSeconds: 60, blockSeconds: 300 },
  });
  t.equal(c.log.level, 'info');
  t.match(c.publicHost, /^\d+\.\d+\.\d+\.\d+$/, 'publicHost detected as an IPv4 address');
  t.ok(Object.isFrozen(c) && Object.isFrozen(c.sip.timers), 'deeply frozen');
  t.end();
});

t.test('every default key is documented by a // sibling', async (t) => {
  const { readFileSync } = await import('node:fs');
  const json = JSON.parse(readFileSync(new URL('../config/default.json', import.meta.url), 'utf8'));
  const missing: string[] = [];
  const walk = (o: Record<string, unknown>, path: string) => {
    for (const [k, v] of Object.entries(o)) {
      if (k.startsWith('//')) continue;
      if (typeof o[`//${k}`] !== 'string') missing.push(path + k);
      if (v && typeof v === 'object' && !Array.isArray(v)) walk(v as Record<string, unknown>, `${path}${k}.`);
    }
  };
  walk(json, '');
  t.same(missing, []);
});

t.test('file layer then env layer then overrides', (t) => {
  const dir = t.testdir({
    'hf.json': JSON.stringify({
      '//': 'comments are ignored',
      http: { port: 8181, '//port': 'doc' },
      sip: { server: { host: '127.0.0.1', port: 9022, secret: 's3cret' }, timers: { t1Ms: 50 } },
      provisioning: { allowCidrs: ['127.0.0.0/8', '::1/128'] },
    }),
  });
  const c = loadConfig({ configFile: 'hf.json', cwd: dir, env: { HOOKFLASH_SIP_PORT: '15060', HOOKFLASH_LOG_LEVEL: 'debug' } });
  t.equal(c.http.port, 8181, 'from file');
  t.equal(c.sip.timers.t1Ms, 50, 'nested file key');
  t.equal(c.sip.timers.t2Ms, 4000, 'siblings keep defaults');
  t.same(c.sip.server, { host: '127.0.0.1', port: 9022, secret: 's3cret' });
  t.same(c.provisioning.allowCidrs, ['127.0.0.0/8', '::1/128']);
  t.equal(c.sip.port, 15060, 'env coerced to a number');
  t.equal(c.log.level, 'debug');

  const env = {
    HOOKFLASH_CONFIG: join(dir, 'hf.json'), HOOKFLASH_HTTP_PORT: '0', HOOKFLASH_TFTP_PORT: '1069',
    HOOKFLASH_DATA_DIR: '/tmp/hf-data', HOOKFLASH_PUBLIC_HOST: '127.0.0.1',
  };
  const c2 = loadConfig({ env, overrides: { tftp: { port: 0 }, sip: { controlPort: 0 } } });
  t.equal(c2.http.port, 0, 'env beats file');
  t.equal(c2.sip.timers.t1Ms, 50, 'HOOKFLASH_CONFIG read');
  t.equal(c2.tftp.port, 0, 'overrides beat env');
  t.equal(c2.sip.controlPort, 0);
  t.equal(c2.dataDir, '/tmp/hf-data');
  t.equal(c2.publicHost, '127.0.0.1');
  t.same(Object.keys(ENV_VARS).sort(), ['HOOKFLASH_DATA_DIR', 'HOOKFLASH_HTTP_PORT', 'HOOKFLASH_LOG_LEVEL', 'HOOKFLASH_PUBLIC_HOST', 'HOOKFLASH_SIP_PORT', 'HOOKFLASH_SMTP_URL', 'HOOKFLASH_TFTP_PORT']);
  t.equal(loadConfig({ env: { HOOKFLASH_HTTP_PORT: '' } }).http.port, 8080, 'empty env var counts as unset');
  t.end();
});

t.test('invalid values name the key, the value, what is allowed and the layer', (t) => {
  const dir = t.testdir({
    'bad-port.json': JSON.stringify({ http: { port: 'abc' } }),
    'typo.json': JSON.stringify({ http: { prot: 8080 } }),
    'bad-json.json': '{ "http": ',
    'bad-cidr.json': JSON.stringify({ provisioning: { allowCidrs: ['10.0.0.0/99'] } }),
    'bad-tz.json': JSON.stringify({ provisioning: { timezone: 'Mars/Olympus' } }),
    'bad-server.json': JSON.stringify({ sip: { server: 'external' } }),
    'bad-timers.json': JSON.stringify({ sip: { timers: { t1Ms: 5000, t2Ms: 100 } } }),
    'not-object.json': '[1,2]',
  });
  const f = (name: string) => join(dir, name);
  t.throws(() => loadConfig({ configFile: f('bad-port.json'), env: noEnv }), {
    name: 'ConfigError',
    message: `config: http.port = "abc" is not allowed: expected an integer 0–65535 (from ${f('bad-port.json')})`,
  });
  t.throws(() => loadConfig({ configFile: f('typo.json'), env: noEnv }), { message: /unknown key "http.prot".*known keys under http: host, port/ });
  t.throws(() => loadConfig({ configFile: f('bad-json.json'), env: noEnv }), { message: /bad-json.json is not valid JSON/ });
  t.throws(() => loadConfig({ configFile: f('missing.json'), env: noEnv }), { message: /missing.json does not exist/ });
  t.throws(() => loadConfig({ configFile: f('bad-cidr.json'), env: noEnv }), { message: /provisioning.allowCidrs .*"10.0.0.0\/99" is not a CIDR/ });
  t.throws(() => loadConfig({ configFile: f('bad-tz.json'), env: noEnv }), { message: /provisioning.timezone = "Mars\/Olympus" is not allowed: expected an IANA time zone/ });
  t.throws(() => loadConfig({ configFile: f('bad-server.json'), env: noEnv }), { message: /sip.server = "external" is not allowed: expected "embedded" or/ });
  t.throws(() => loadConfig({ configFile: f('bad-timers.json'), env: noEnv }), { message: /sip.timers.t2Ms = 100 .*>= sip.timers.t1Ms/ });
  t.throws(() => loadConfig({ configFile: f('not-object.json'), env: noEnv }), ConfigError);
  t.throws(() => loadConfig({ env: { HOOKFLASH_HTTP_PORT: 'eighty' } }), {
    message: 'config: http.port = "eighty" is not allowed: expected an integer 0–65535 (from env HOOKFLASH_HTTP_PORT)',
  });
  t.throws(() => loadConfig({ env: { HOOKFLASH_SIP_PORT: '70000' } }), { message: /sip.port = "70000".*env HOOKFLASH_SIP_PORT/ });
  t.throws(() => loadConfig({ env: { HOOKFLASH_LOG_LEVEL: 'loud' } }), { message: /log.level = "loud" is not allowed: expected one of fatal, error, warn, info, debug, trace, silent/ });
  t.throws(() => loadConfig({ env: { HOOKFLASH_PUBLIC_HOST: 'not a host!' } }), { message: /publicHost = "not a host!"/ });
  t.throws(() => loadConfig({ env: noEnv, overrides: { http: { port: 1.5 } } }), { message: /http.port = 1.5 .*\(from overrides\)/ });
  t.throws(() => loadConfig({ env: noEnv, overrides: { nope: 1 } as never }), { message: /unknown key "nope"/ });
  t.end();
});

t.test('a broken defaults file is reported', (t) => {
  const dir = t.testdir({ 'defaults.json': JSON.stringify({ dataDir: './data' }) });
  t.throws(() => loadConfig({ env: noEnv, defaultsFile: join(dir, 'defaults.json') }), { message: /publicHost is missing from/ });
  writeFileSync(join(dir, 'defaults.json'), '{}');
  t.throws(() => loadConfig({ env: noEnv, defaultsFile: join(dir, 'defaults.json') }), ConfigError);
  t.end();
});

t.test('media and pbx.voicemail: defaults and validation naming key, value and what is allowed', (t) => {
  const c = loadConfig({ env: noEnv });
  t.same(c.media, { host: null, portRange: { min: 20000, max: 20999 }, language: 'pl' });
  t.same(c.pbx.voicemail, { accessNumber: '*97', maxMessageS: 180, minMessageS: 1, silenceS: 10, silenceThresholdDb: -45, pinAttempts: 3, digitTimeoutS: 5 });
  const error = (overrides: Record<string, unknown>) => {
    try {
      loadConfig({ env: noEnv, overrides: overrides as never });
    } catch (err) {
      t.type(err, ConfigError);
      return (err as Error).message;
    }
    return 'no error';
  };
  t.match(error({ media: { language: 'de' } }), /media\.language = "de" is not allowed: expected one of pl, en/);
  t.match(error({ media: { portRange: { min: 80 } } }), /media\.portRange\.min = 80 is not allowed: expected an integer 1024–65535/);
  t.match(error({ media: { portRange: { min: 30000, max: 30000 } } }), /media\.portRange\.max = 30000 .*min \+ 1/);
  t.match(error({ media: { host: 'not a host' } }), /media\.host = "not a host"/);
  t.match(error({ pbx: { voicemail: { accessNumber: '9x' } } }), /pbx\.voicemail\.accessNumber = "9x" is not allowed: expected a dialable code/);
  t.match(error({ pbx: { voicemail: { minMessageS: 30, maxMessageS: 20 } } }), /pbx\.voicemail\.minMessageS = 30 .*below pbx\.voicemail\.maxMessageS \(20\)/);
  t.match(error({ pbx: { voicemail: { pinAttempts: 0 } } }), /pbx\.voicemail\.pinAttempts = 0/);
  t.match(error({ pbx: { voicemail: { digitTimeoutS: 0 } } }), /pbx\.voicemail\.digitTimeoutS = 0 is not allowed: expected an integer 1–60/);
  t.match(error({ pbx: { voicemail: { silenceThresholdDb: 3 } } }), /pbx\.voicemail\.silenceThresholdDb = 3 is not allowed: expected an integer -90–-10/);
  t.match(error({ media: { volume: 3 } }), /unknown key "media\.volume"/);
  t.end();
});
