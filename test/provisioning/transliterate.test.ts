import t from 'tap';
import { toAscii } from '../../src/provisioning/transliterate.js';
import { escapeXml, extractParams, unescapeXml, xmlValue } from '../../src/provisioning/xml.js';

t.test('transliteration to ASCII', async (t) => {
  t.equal(toAscii('Łucja Żak'), 'Lucja Zak');
  t.equal(toAscii('Zażółć gęślą jaźń'), 'Zazolc gesla jazn');
  t.equal(toAscii('ŁĄCKA ŚĆŹŃÓĘ'), 'LACKA SCZNOE');
  t.equal(toAscii('Jürgen Groß, Ärger, Öl'), 'Juergen Gross, Aerger, Oel');
  t.equal(toAscii('Zdeněk Dvořák, Šťastný, Ůžas'), 'Zdenek Dvorak, Stastny, Uzas');
  t.equal(toAscii('François Œuvre, Søren Ærø, Þór'), 'Francois OEuvre, Soren AEro, Thor');
  t.equal(toAscii('“quoted” – dash…'), '"quoted" - dash...');
  t.equal(toAscii('ﬁle'), 'file', 'NFKD splits ligatures');
  t.equal(toAscii('日本 ☎'), '?? ?', 'anything left non-ASCII becomes ?');
  t.equal(toAscii('tab\there\nnewline'), 'tab here newline', 'control characters become spaces');
  t.equal(toAscii('plain ASCII 123 <&>'), 'plain ASCII 123 <&>');
  t.equal(toAscii('😀'), '?', 'one ? per character, not per UTF-16 unit');
});

t.test('XML escaping and the values helper', async (t) => {
  t.equal(escapeXml(`<&>"'`), '&lt;&amp;&gt;&quot;&apos;');
  t.equal(xmlValue('Łódź & <Co>'), 'Lodz &amp; &lt;Co&gt;');
  t.equal(xmlValue(null), '');
  t.equal(xmlValue(0.5), '0.5');
  t.equal(unescapeXml('&lt;a&gt; &amp;amp; &#65;&#x42;'), '<a> &amp; AB');
});

t.test('extractParams reads leaf elements including nested ones', async (t) => {
  const params = extractParams(`<?xml version="1.0"?>
<flat-profile>
<!-- <Commented>x</Commented> -->
<A_1_>one &amp; two</A_1_>
<Empty></Empty>
<Self/>
<router-configuration>
<Web_Login_Admin_Password>p&lt;w</Web_Login_Admin_Password>
</router-configuration>
</flat-profile>`);
  t.same(params, { A_1_: 'one & two', Empty: '', Self: '', Web_Login_Admin_Password: 'p<w' });
});
