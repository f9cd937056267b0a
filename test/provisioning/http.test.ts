import t from 'tap';
import { request as httpRequest } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { startProvisioningServers, seedOffice, SPA303_MAC, SPA112_MAC } from '../helpers/provisioning.js';
import { parseProfile, runningConfigXml, spaUserAgent } from '../helpers/spa-device.js';

const UA_303 = spaUserAgent('SPA303', '7.6.2c', SPA303_MAC);

/** A raw HTTP request (fetch always adds a content type to string bodies; devices may send none). */
function rawPost(port: number, path: string, body: Buffer, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method: 'POST', headers: { 'content-length': String(body.length), ...headers } }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

t.test('profiles over HTTP: text/xml, no caching; unknown MAC 404', async (t) => {
  const { baseUrl, stack } = await startProvisioningServers(t);
  seedOffice(stack.repos);
  const res = await fetch(`${baseUrl}/spa/${SPA303_MAC}.xml`, { headers: { 'user-agent': UA_303 } });
  t.equal(res.status, 200);
  t.equal(res.headers.get('content-type'), 'text/xml; charset=utf-8');
  t.equal(res.headers.get('cache-control'), 'no-store');
  const profile = await parseProfile(await res.text());
  t.equal(profile.root, 'flat-profile');
  t.equal(profile.params.User_ID_1_, '101');

  const boot = await fetch(`${baseUrl}/Spa112.cFg`);
  t.equal(boot.status, 200, 'bootstrap names are case-insensitive over HTTP too');
  t.match((await parseProfile(await boot.text())).params.Profile_Rule, /\/spa\/\$MA\.xml$/);

  const tolerant = await fetch(`${baseUrl}/spa${SPA112_MAC}.xml`);
  t.equal(tolerant.status, 200, 'spa<mac>.xml at the root is accepted');

  const unknown = await fetch(`${baseUrl}/spa/a0b1c2d3e4f5.xml`, { headers: { 'user-agent': spaUserAgent('SPA303', '7.5.5', 'a0b1c2d3e4f5') } });
  t.equal(unknown.status, 404);
  await stack.service.flush();
  t.match(stack.repos.sightings.latestForMac('a0b1c2d3e4f5'), { transport: 'http', model: 'spa303', firmware: '7.5.5' });
});

t.test('encoded traversal is refused, not routed', async (t) => {
  const { baseUrl } = await startProvisioningServers(t);
  const res = await fetch(`${baseUrl}/spa/..%2f..%2fhookflash.sqlite`);
  t.equal(res.status, 403);
  t.match(await res.text(), /percent-encoded/);
  const res2 = await fetch(`${baseUrl}/firmware/%2e%2e%2fhookflash.sqlite`);
  t.equal(res2.status, 403);
});

t.test('firmware is streamed as application/octet-stream', async (t) => {
  const { baseUrl, stack } = await startProvisioningServers(t);
  const image = randomBytes(300_000);
  writeFileSync(join(stack.firmwareDir, 'spa112-1.4.1-SR5.bin'), image);
  const res = await fetch(`${baseUrl}/firmware/spa112-1.4.1-SR5.bin`);
  t.equal(res.status, 200);
  t.equal(res.headers.get('content-type'), 'application/octet-stream');
  t.equal(res.headers.get('content-length'), '300000');
  t.ok(Buffer.from(await res.arrayBuffer()).equals(image), 'same bytes');
  t.equal((await fetch(`${baseUrl}/firmware/unlisted.bin`)).status, 404);
});

t.test('repeated 404s from one address get 429 with Retry-After, then expire', async (t) => {
  const { baseUrl, stack } = await startProvisioningServers(t, {
    config: { provisioning: { notFoundLimit: { max: 3, windowSeconds: 60, blockSeconds: 1 } } },
  });
  seedOffice(stack.repos);
  for (let i = 0; i < 3; i++) t.equal((await fetch(`${baseUrl}/spa/00000000000${i}.xml`)).status, 404);
  const blocked = await fetch(`${baseUrl}/spa/${SPA303_MAC}.xml`);
  t.equal(blocked.status, 429);
  t.equal(blocked.headers.get('retry-after'), '1');
  await new Promise((r) => setTimeout(r, 1100));
  t.equal((await fetch(`${baseUrl}/spa/${SPA303_MAC}.xml`)).status, 200, 'served again after blockSeconds');
});

t.test('allow-list: a client outside the ranges gets 403', async (t) => {
  const { baseUrl, stack } = await startProvisioningServers(t, { config: { provisioning: { allowCidrs: ['10.0.0.0/8'] } } });
  seedOffice(stack.repos);
  const res = await fetch(`${baseUrl}/spa/${SPA303_MAC}.xml`);
  t.equal(res.status, 403);
  t.match(await res.text(), /not in provisioning\.allowCidrs/);
});

t.test('Report_Rule uploads in every content type SPA firmware uses', async (t) => {
  const { httpPort, stack } = await startProvisioningServers(t);
  const { spa303 } = seedOffice(stack.repos);
  const path = `/spa/r/${spa303.provisioningToken}/${SPA303_MAC}.xml`;
  const body = Buffer.from(runningConfigXml({ Software_Version: '7.6.2c', User_ID_1_: '101', Line_Enable_1_: 'Yes' }));
  for (const headers of [{ 'content-type': 'text/xml' }, { 'content-type': 'application/x-www-form-urlencoded' }, {}] as Array<Record<string, string>>) {
    const res = await rawPost(httpPort, path, body, { 'user-agent': UA_303, ...headers });
    t.same(res, { status: 200, body: 'Report saved (3 parameters)\n' }, JSON.stringify(headers));
  }
  t.match(stack.repos.reports.latest(SPA303_MAC), { firmware: '7.6.2c', params: { User_ID_1_: '101', Line_Enable_1_: 'Yes' } });
});

t.test('hostile uploads: 4xx with a reason, nothing saved', async (t) => {
  const { httpPort, stack } = await startProvisioningServers(t, { config: { provisioning: { maxReportBytes: 4096 } } });
  const { spa303 } = seedOffice(stack.repos);
  const path = `/spa/r/${spa303.provisioningToken}/${SPA303_MAC}.xml`;
  const post = (body: string | Buffer, p = path) => rawPost(httpPort, p, Buffer.from(body), { 'content-type': 'text/xml', 'user-agent': UA_303 });

  const big = await post(Buffer.alloc(5000, 0x41));
  t.same(big, { status: 413, body: 'Report larger than 4096 bytes\n' });

  const doctype = await post('<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY a "aaaa">]>\n<flat-profile>&a;</flat-profile>');
  t.same(doctype, { status: 400, body: 'report XML must not contain a DOCTYPE declaration (line 2, column 1)\n' });

  const malformed = await post('<flat-profile>\n<User_ID_1_>101</User_ID>\n</flat-profile>');
  t.same(malformed, { status: 400, body: 'malformed report XML: Unexpected close tag at line 2, column 25\n' });

  const wrongToken = await post(runningConfigXml({ User_ID_1_: '101' }), `/spa/r/WrongToken1234567/${SPA303_MAC}.xml`);
  t.equal(wrongToken.status, 404);

  const binary = await post(randomBytes(2000));
  t.equal(binary.status, 400);

  t.equal(stack.repos.reports.latest(SPA303_MAC), undefined, 'no report saved by any of them');
  const ok = await fetch(`http://127.0.0.1:${httpPort}/spa/${SPA303_MAC}.xml`);
  t.equal(ok.status, 200, 'the server keeps serving');
});
