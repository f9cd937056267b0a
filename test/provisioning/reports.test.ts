import t from 'tap';
import { parseReport } from '../../src/provisioning/reports.js';

const limits = { maxBytes: 64 * 1024 };
const xml = (s: string) => Buffer.from(s, 'utf8');

t.test('a running-config report becomes a flat map with the firmware version', async (t) => {
  const result = await parseReport(xml(`<?xml version="1.0"?>
<flat-profile xmlns="http://www.sipura.net/xsd/SPA50x-30x-SIP">
  <Software_Version ua="na">7.6.2c</Software_Version>
  <Line_Enable_1_ ua="na">Yes</Line_Enable_1_>
  <User_ID_1_>101</User_ID_1_>
  <Display_Name_1_>Lucja &amp; Zak</Display_Name_1_>
  <Proxy_1_/>
  <router-configuration><Time_Setup><Time_Zone>GMT+01:00</Time_Zone></Time_Setup></router-configuration>
  <Station_Name>first</Station_Name>
  <Station_Name>second</Station_Name>
</flat-profile>`), limits);
  t.ok(result.ok);
  if (!result.ok) return;
  t.equal(result.firmware, '7.6.2c');
  t.same(result.params, {
    Software_Version: '7.6.2c',
    Line_Enable_1_: 'Yes',
    User_ID_1_: '101',
    Display_Name_1_: 'Lucja & Zak',
    Proxy_1_: '',
    Time_Zone: 'GMT+01:00',
    Station_Name: 'second',
  });
});

t.test('no version parameter: firmware is null (the caller falls back to the UA)', async (t) => {
  const result = await parseReport(xml('<flat-profile><Line_Enable_1_>Yes</Line_Enable_1_></flat-profile>'), limits);
  t.same(result, { ok: true, params: { Line_Enable_1_: 'Yes' }, firmware: null });
});

t.test('oversized uploads are 413 before any parsing', async (t) => {
  const result = await parseReport(Buffer.alloc(limits.maxBytes + 1, 0x41), limits);
  t.same(result, { ok: false, status: 413, reason: `report is ${limits.maxBytes + 1} bytes; the limit is ${limits.maxBytes}` });
});

t.test('DOCTYPE and ENTITY declarations are refused with their position', async (t) => {
  const bomb = await parseReport(xml('<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">]>\n<flat-profile>&lol;</flat-profile>'), limits);
  t.same(bomb, { ok: false, status: 400, reason: 'report XML must not contain a DOCTYPE declaration (line 2, column 1)' });
  const entity = await parseReport(xml('<flat-profile>\n  <!ENTITY x SYSTEM "file:///etc/passwd"></flat-profile>'), limits);
  t.match(entity, { ok: false, status: 400, reason: /ENTITY declaration \(line 2, column 3\)/ });
});

t.test('malformed XML says what and where', async (t) => {
  const result = await parseReport(xml('<flat-profile>\n<A>1</A>\n<B>2</C></flat-profile>'), limits);
  t.same(result, { ok: false, status: 400, reason: 'malformed report XML: Unexpected close tag at line 3, column 8' });
  const unclosed = await parseReport(xml('<flat-profile><A>1</A>'), limits);
  t.match(unclosed, { ok: false, status: 400, reason: /^malformed report XML: Unclosed root tag at line 1, column \d+$/ });
});

t.test('empty bodies, non-XML and the wrong root element are 400', async (t) => {
  t.match(await parseReport(Buffer.alloc(0), limits), { ok: false, status: 400, reason: /empty/ });
  t.match(await parseReport(xml('   \n'), limits), { ok: false, status: 400, reason: /no XML element/ });
  t.match(await parseReport(xml('Line_Enable_1_=Yes&User_ID_1_=101'), limits), { ok: false, status: 400, reason: /malformed report XML/ });
  t.same(await parseReport(xml('<html><body>hi</body></html>'), limits), {
    ok: false, status: 400, reason: 'report root element is <html>; expected <flat-profile>',
  });
});

t.test('hostile nesting and parameter floods are refused', async (t) => {
  const deep = '<a>'.repeat(50) + 'x' + '</a>'.repeat(50);
  t.match(await parseReport(xml(`<flat-profile>${deep}</flat-profile>`), limits), {
    ok: false, status: 400, reason: /nests elements deeper than 8 levels/,
  });
  const many = Array.from({ length: 30 }, (_, i) => `<P${i}>1</P${i}>`).join('');
  t.match(await parseReport(xml(`<flat-profile>${many}</flat-profile>`), { ...limits, maxParams: 20 }), {
    ok: false, status: 400, reason: 'report has more than 20 parameters',
  });
});
