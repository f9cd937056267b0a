/**
 * The installer's barcode fallback in a real browser (Debian Chromium via playwright-core):
 * BarcodeDetector is removed so the page must load ZXing from this server; a Code128 barcode
 * of a MAC (made with bwip-js) is picked as a photo and the MAC field gets the normalised MAC.
 * Also screenshots of the new admin pages at phone and desktop width (test-artifacts/).
 */
import t from 'tap';
import { mkdirSync } from 'node:fs';
import bwipjs from 'bwip-js';
import { chromium } from 'playwright-core';
import { buildWebStack, PASSWORD } from '../helpers/web.js';
import { makeToneWav } from '../helpers/audio.js';
import { silentLogger } from '../../src/log.js';
import { createVoicemailStore } from '../../src/pbx/voicemail/store.js';
import type { QueueLiveState } from '../../src/web/index.js';
import { CHROMIUM, DESKTOP, PHONE, SHOTS, shoot } from '../helpers/browser.js';


t.test('installer: a photo of a Code128 MAC barcode fills the MAC field (ZXing fallback); admin pages render', async (t) => {
  mkdirSync(SHOTS, { recursive: true });
  const live: QueueLiveState[] = [{
    number: '30', name: 'Sales', waiting: [{ caller: '48221234567', since: Date.now() - 42_000 }], longestWaitS: 42,
    agents: [{ extension: '101', state: 'idle', callsTaken: 3 }, { extension: '102', state: 'busy', callsTaken: 5 }],
  }];
  const s = await buildWebStack(t, { options: { calls: () => ({ activeCalls: 2 }), queues: () => live, queuePollMs: 200 } });
  await s.addUser('anna', 'admin');
  await s.app.listen({ host: '127.0.0.1', port: 0 });
  const address = s.app.server.address();
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
  t.teardown(() => browser.close());
  const context = await browser.newContext({ viewport: PHONE });
  // Chromium on Android/macOS has BarcodeDetector; remove it so the ZXing path is what runs.
  await context.addInitScript('delete window.BarcodeDetector;');
  const page = await context.newPage();
  const consoleErrors: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => consoleErrors.push(e.message));

  await page.goto(`${base}/login`);
  await page.fill('#name', 'anna');
  await page.fill('#password', PASSWORD);
  await page.press('#password', 'Enter');
  await page.waitForURL(`${base}/admin`);

  await page.goto(`${base}/installer`);
  t.equal(await page.getAttribute('#mac-form', 'data-decoder'), 'zxing', 'no BarcodeDetector: ZXing is the decoder');
  const png = await bwipjs.toBuffer({ bcid: 'code128', text: '0011223344AB', scale: 3, height: 12, includetext: true, paddingwidth: 10, paddingheight: 10, backgroundcolor: 'FFFFFF' });
  await page.setInputFiles('#scan-file', { name: 'label.png', mimeType: 'image/png', buffer: png });
  await page.waitForSelector('#assign-form', { timeout: 15_000 });
  t.equal(await page.inputValue('#mac-input'), '00:11:22:33:44:ab', 'the MAC field holds the normalised MAC');
  t.match(page.url(), /\/installer\?mac=00%3A11%3A22%3A33%3A44%3Aab$/, 'and the page looked it up');
  await shoot(page, 'installer-scanned');

  // A picture without a MAC barcode says so and leaves the field alone.
  await page.goto(`${base}/installer`);
  const notMac = await bwipjs.toBuffer({ bcid: 'code128', text: 'HELLO-WORLD', scale: 3, height: 12, paddingwidth: 10, paddingheight: 10, backgroundcolor: 'FFFFFF' });
  await page.setInputFiles('#scan-file', { name: 'box.png', mimeType: 'image/png', buffer: notMac });
  await page.waitForSelector('#scan-status.error');
  t.match(await page.textContent('#scan-status'), /No MAC address barcode found/);
  t.equal(await page.inputValue('#mac-input'), '');

  // The new admin pages, with some data, at both widths.
  s.repos.extensions.add({ number: '101', displayName: 'Anna Nowak', sipPassword: 'pw-101-secret-x' });
  s.repos.extensions.add({ number: '102', displayName: 'Bartek Łuczak', sipPassword: 'pw-102-secret-x' });
  s.repos.mailboxes.add({ box: '500', name: 'Biuro', emails: ['biuro@example.com'] });
  const store = createVoicemailStore({ repos: s.repos, dataDir: s.dataDir, logger: silentLogger() });
  await store.deposit({ box: '500', callerNumber: '48221234567', durationMs: 1500, wavBuffer: makeToneWav({ hz: 500, durationMs: 1500 }) });
  s.repos.queues.add({ number: '30', name: 'Sales', overflow: '500', members: ['101', '102'] });
  for (let i = 0; i < 5; i++) {
    const c = s.repos.cdr.start({ callId: `c${i}`, caller: '101', callee: '102' });
    s.repos.cdr.answer(c.id);
    s.repos.cdr.end(c.id, i % 2 ? 'answered' : 'busy');
  }

  await page.setViewportSize(DESKTOP);
  t.same(consoleErrors, [], 'no errors so far');
  await page.goto(`${base}/admin/extensions/101`);
  // Progressive enhancement: the number box only shows for destinations that need a number.
  t.ok(await page.isHidden('#alwaysTarget'), '"not set": no number box');
  await page.selectOption('#alwaysKind', 'extension');
  t.ok(await page.isVisible('#alwaysTarget'), 'an extension needs a number');
  await page.selectOption('#alwaysKind', 'hangup');
  t.ok(await page.isHidden('#alwaysTarget'), '"hang up" hides the number box');
  await page.selectOption('#alwaysKind', 'none');
  await page.selectOption('#busyKind', 'voicemail');
  await page.fill('#busyTarget', '101');
  await page.selectOption('#noAnswerKind', 'extension');
  await page.fill('#noAnswerTarget', '102');
  await page.fill('#noAnswerAfter', '3');
  await page.click('#forwarding-form button[type=submit]');
  await page.waitForSelector('#noAnswerAfter-error');
  t.match(await page.textContent('#noAnswerAfter-error'), /from 5 to 300/, 'error shown next to the field');
  // The refused form answers 400 on purpose; Chromium logs that status as a console error.
  t.same(consoleErrors.splice(0), ['Failed to load resource: the server responded with a status of 400 (Bad Request)']);
  await shoot(page, 'extension-forwarding-error');
  await page.fill('#noAnswerAfter', '20');
  await page.click('#forwarding-form button[type=submit]');
  await page.waitForSelector('.notice:has-text("Forwarding saved")');
  t.same(s.repos.forwarding.get('101'), { busy: { kind: 'voicemail', box: '101' }, noAnswer: { after: 20, to: { kind: 'extension', number: '102' } } });

  await page.goto(`${base}/admin/mailboxes/500`);
  await page.setInputFiles('#greeting-file', { name: 'hello.wav', mimeType: 'audio/wav', buffer: Buffer.from(makeToneWav({ hz: 440, durationMs: 1000, sampleRate: 22050 })) });
  await page.click('#greeting-upload');
  await page.waitForSelector('#greeting-result.notice');
  t.match(await page.textContent('#greeting-result'), /Greeting stored \(1\.0 s, converted from 22050 Hz mono/);
  await page.waitForSelector('audio[src="/admin/mailboxes/500/greeting/audio"]');
  // Runs in the page (a string: the test's TypeScript has no DOM types).
  const playable = await page.evaluate(`(async () => {
    const audio = document.querySelector('audio[src="/admin/mailboxes/500/greeting/audio"]');
    audio.preload = 'auto';
    audio.load();
    await new Promise((resolve, reject) => { audio.onloadedmetadata = resolve; audio.onerror = () => reject(new Error('media error ' + (audio.error && audio.error.code))); });
    return audio.duration;
  })()`) as number;
  t.ok(playable > 0.9 && playable < 1.1, `the browser plays the stored greeting (${playable} s)`);
  await shoot(page, 'mailbox');

  await page.goto(`${base}/admin/queues`);
  t.equal(await page.textContent('[data-queue="30"] .waiting-count'), '1');
  live[0]!.waiting.push({ caller: '48601000000', since: Date.now() });
  await page.locator('[data-queue="30"] .waiting-count').filter({ hasText: /^2$/ }).waitFor({ timeout: 5000 });
  t.pass('the live view refreshed by polling');
  await shoot(page, 'queues');

  await page.goto(`${base}/admin/entry-numbers`);
  await page.fill('#number', '100');
  await page.fill('#name', 'Office hours');
  await page.selectOption('#inHoursKind', 'queue');
  await page.fill('#inHoursTarget', '30');
  await page.selectOption('#afterHoursKind', 'voicemail');
  await page.fill('#afterHoursTarget', '500');
  await page.click('button:has-text("Add entry number")');
  await page.waitForSelector('#entry-status');
  t.match(await page.textContent('#entry-status'), /(open|closed) now, (opens|closes) /);
  await shoot(page, 'entry-number');
  await page.goto(`${base}/admin/calls`);
  await shoot(page, 'calls');
  await page.goto(`${base}/admin`);
  await shoot(page, 'dashboard-live');
  await page.goto(`${base}/admin/users`);
  await shoot(page, 'users');

  t.same(consoleErrors, [], 'no script errors or Content-Security-Policy violations');
});
