/**
 * The UI in a real browser (Debian Chromium via playwright-core): log in, add an extension,
 * assign a device on the installer page by typing its MAC (one line by extension, one by
 * department), let a simulated SPA303 fetch its
 * profile over HTTP, and watch the status card reach "profile fetched". Screenshots of the
 * main pages at phone and desktop width go to test-artifacts/screenshots/.
 */
import t from 'tap';
import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { buildWebStack, PASSWORD } from '../helpers/web.js';
import { spaUserAgent } from '../helpers/spa-device.js';
import { CHROMIUM, DESKTOP, PHONE, SHOTS, shoot } from '../helpers/browser.js';


t.test('log in, add an extension, assign a device by MAC, watch it fetch its profile', async (t) => {
  mkdirSync(SHOTS, { recursive: true });
  const s = await buildWebStack(t, { options: { statusPollMs: 300 } });
  await s.addUser('anna', 'admin');
  // A department (queue) the installer can put a line in without knowing an extension number.
  s.repos.mailboxes.add({ box: '500', name: 'Biuro' });
  s.repos.queues.add({ number: '30', name: 'Sales', overflow: '500', members: [] });
  await s.app.listen({ host: '127.0.0.1', port: 0 });
  const address = s.app.server.address();
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

  // No skip when Chromium is missing: a UI that is never tested in a browser should fail CI.
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
  t.teardown(() => browser.close());
  const page = await browser.newPage({ viewport: DESKTOP });
  const consoleErrors: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => consoleErrors.push(e.message));

  await page.goto(`${base}/admin`);
  t.match(page.url(), /\/login\?next=%2Fadmin$/, 'anonymous → login');
  await shoot(page, 'login');
  await page.fill('#name', 'anna');
  await page.fill('#password', PASSWORD);
  await page.press('#password', 'Enter');
  await page.waitForURL(`${base}/admin`);
  await shoot(page, 'dashboard');

  await page.click('nav >> text=Extensions');
  await page.fill('#number', '102');
  await page.fill('#displayName', 'Anna Nowak');
  await page.fill('#emails', 'anna@example.com');
  await page.click('button:has-text("Add extension")');
  await page.waitForSelector('.notice:has-text("Extension 102 added")');
  t.equal(await page.textContent('code.secret'), s.repos.extensions.get('102')!.sipPassword, 'password shown once');
  await shoot(page, 'extensions');

  // Installer page at phone width; a handheld scanner types the MAC and presses Enter.
  await page.setViewportSize(PHONE);
  await page.goto(`${base}/installer`);
  await page.fill('#mac-input', '00:11:22:33:44:zz');
  await page.press('#mac-input', 'Enter');
  t.equal(await page.$eval('#mac-input', (el) => (el as unknown as { validationMessage: string }).validationMessage), 'Not a MAC address: 12 hex digits, e.g. 00:11:22:33:44:AA', 'checked before sending');
  await page.fill('#mac-input', '0011.2233.44AA');
  await page.press('#mac-input', 'Enter');
  await page.waitForSelector('#assign-form');
  await page.selectOption('#model', 'spa303');
  await page.selectOption('#line1', '102');
  await page.selectOption('#dept2', '30');   // line 2: only a department, so a new extension
  await shoot(page, 'installer-form');
  await page.click('#assign-form button[type=submit]');
  await page.waitForSelector('#status-card');
  t.same(s.repos.devices.get('0011223344aa')!.lines, ['102', '301']);
  t.match(await page.textContent('.notice'), /New extension 301 created/);
  t.same(s.repos.queues.get('30')!.members.map((m) => m.extension), ['301'], 'the new extension is a Sales agent');
  await page.waitForSelector('#status-card[data-current="seen"]');
  t.equal(await page.getAttribute('[data-step="fetched"]', 'class'), 'waiting');

  const profile = await fetch(`${base}/spa/0011223344aa.xml`, { headers: { 'user-agent': spaUserAgent('SPA303', '7.6.2c', '0011223344aa') } });
  t.equal(profile.status, 200, 'the simulated device got its profile');
  await s.service.flush();
  await page.waitForSelector('[data-step="fetched"].done', { timeout: 10_000 });
  t.equal(await page.getAttribute('[data-step="seen"]', 'class'), 'done');
  t.match(await page.textContent('[data-step="registered"] .detail'), 'unknown', 'no registration source: unknown');
  await shoot(page, 'installer-status');

  await page.goto(`${base}/admin/devices/0011223344aa`);
  const main = (await page.textContent('main')) ?? '';
  t.match(main, /Last fetched/, 'the diff is against what the device fetched');
  t.match(main, /No changes: the device runs what it would get now/);
  await shoot(page, 'device');
  await page.goto(`${base}/admin/devices`);
  await shoot(page, 'devices');
  // At phone width the devices table is one card per device, each value after its column's
  // name, with nothing to scroll sideways; at desktop width it is a table again.
  const table = '.scroll > table';
  await page.setViewportSize(PHONE);
  // Page functions run in Chromium; the test's tsconfig has no DOM lib, so its globals are typed here.
  type Win = { getComputedStyle(el: unknown, pseudo?: string): { content: string; display: string }; innerWidth: number;
    document: { documentElement: { scrollWidth: number } } };
  t.equal(await page.$eval(table, (el) => el.hasAttribute('data-stacked')), true, 'tables.js labelled the table');
  t.same(await page.$$eval(`${table} tbody tr:first-child td`, (tds) => tds.map((td) => td.getAttribute('data-label'))),
    ['MAC', 'Model', 'Label', 'Lines', 'Status', 'Firmware', 'Last report']);
  t.equal(await page.$eval(`${table} td`, (td) => (globalThis as unknown as Win).getComputedStyle(td, '::before').content), '"MAC"', 'the label is shown before the value');
  t.equal(await page.$eval(`${table} td[data-label="Label"]`, (td) => (globalThis as unknown as Win).getComputedStyle(td).display), 'none',
    'the device has no label: that line is left out of its card');
  t.equal(await page.$eval(`${table} td[data-label="Model"]`, (td) => (globalThis as unknown as Win).getComputedStyle(td).display), 'block');
  const fits = () => page.$eval('.scroll', (el) => ({ scroll: el.scrollWidth, client: el.clientWidth, page: (globalThis as unknown as Win).document.documentElement.scrollWidth, width: (globalThis as unknown as Win).innerWidth }));
  const phone = await fits();
  t.ok(phone.scroll <= phone.client && phone.page <= phone.width, `nothing scrolls sideways at phone width: ${JSON.stringify(phone)}`);
  await page.setViewportSize(DESKTOP);
  t.equal(await page.$eval(`${table} thead`, (el) => (globalThis as unknown as Win).getComputedStyle(el).display), 'table-header-group', 'a plain table at desktop width');
  t.equal(await page.$eval(`${table} td`, (td) => (globalThis as unknown as Win).getComputedStyle(td, '::before').content), 'none');

  await page.click('button:has-text("Log out")');
  await page.waitForURL(`${base}/login`);
  await page.goto(`${base}/admin`);
  t.match(page.url(), /\/login/, 'logged out');
  t.same(consoleErrors, [], 'no script errors or Content-Security-Policy violations');
});
