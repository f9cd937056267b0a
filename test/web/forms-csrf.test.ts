/**
 * CSRF on every form, checked by crawling: every page an admin (and an installer) can reach is
 * fetched, every POST form on it must carry the _csrf field, and posting each form's action
 * without the token, or with a wrong one, is refused with 403 and changes nothing.
 */
import t from 'tap';
import { buildWebStack, FORM, form, login } from '../helpers/web.js';
import { seedOffice, SPA303_MAC } from '../helpers/provisioning.js';

const MAX_PAGES = 80;

interface FoundForm { page: string; action: string; tag: string; body: string }

function postFormsIn(url: string, html: string): FoundForm[] {
  const found: FoundForm[] = [];
  for (const m of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/g)) {
    const tag = m[1]!;
    if (!/method="post"/i.test(tag)) continue;
    const action = /action="([^"]*)"/.exec(tag)?.[1] ?? url;
    found.push({ page: url, action, tag, body: m[2]! });
  }
  return found;
}

/** Same-site GET links of a page (pages, not assets or audio), without fragments. */
function linksIn(html: string): string[] {
  return [...html.matchAll(/href="(\/(?:admin|installer)[^"#]*)"/g)].map((m) => m[1]!.replace(/&amp;/g, '&'))
    .filter((u) => !/\/audio$|\/assets\//.test(u));
}

t.test('every POST form on every reachable page carries the CSRF token; without it the action is refused', async (t) => {
  const s = await buildWebStack(t);
  await s.addUser('anna', 'admin');
  await s.addUser('tech', 'installer');
  seedOffice(s.repos);
  s.repos.mailboxes.add({ box: '500', name: 'Biuro' });
  s.repos.queues.add({ number: '30', name: 'Sales', overflow: '500', members: ['101', '102'] });
  const admin = (await login(s.app, 'anna')).session!;
  const entry = await admin.post('/admin/entry-numbers', { number: '100', name: 'Main', inHoursKind: 'queue', inHoursTarget: '30', afterHoursKind: 'voicemail', afterHoursTarget: '500' });
  t.ok(entry.statusCode < 400, 'an entry number exists for its edit page');
  await admin.post('/admin/api-tokens', { name: 'ci' });

  const visited = new Set<string>();
  const queue = ['/admin', `/installer?mac=${SPA303_MAC}`];
  const forms: FoundForm[] = [];
  while (queue.length > 0 && visited.size < MAX_PAGES) {
    const url = queue.shift()!;
    if (visited.has(url)) continue;
    visited.add(url);
    const res = await admin.get(url);
    t.equal(res.statusCode, 200, `GET ${url}`);
    forms.push(...postFormsIn(url, res.body));
    for (const link of linksIn(res.body)) if (!visited.has(link) && !/[?&]page=/.test(link)) queue.push(link);
  }
  for (const expected of ['/admin/extensions/101', `/admin/devices/${SPA303_MAC}`, '/admin/mailboxes/500', '/admin/queues/30', '/admin/entry-numbers/100', '/admin/users', '/admin/api-tokens', '/admin/import']) {
    t.ok(visited.has(expected), `crawled ${expected}`);
  }
  t.ok(forms.length >= 25, `found ${forms.length} POST forms`);

  const missing = forms.filter((f) => !/name="_csrf" value="[\w-]{20,}"/.test(f.body));
  t.same(missing.map((f) => `${f.page} → ${f.action}`), [], 'every POST form has a filled _csrf field');

  const auditBefore = s.repos.audit.recent(1000).length;
  const actions = [...new Set(forms.map((f) => f.action))];
  for (const action of actions) {
    const none = await s.app.inject({ method: 'POST', url: action, headers: { ...FORM, cookie: admin.cookie }, payload: form({ name: 'x' }) });
    t.equal(none.statusCode, 403, `POST ${action} without a token`);
    const wrong = await admin.post(action, { name: 'x' }, 'A'.repeat(43));
    t.equal(wrong.statusCode, 403, `POST ${action} with a wrong token`);
  }
  t.equal(s.repos.audit.recent(1000).length, auditBefore, 'no refused form changed anything');
  t.ok(s.repos.devices.get(SPA303_MAC), 'the device is still there');
  t.ok(s.repos.extensions.get('101'));
});

t.test('an installer session: the installer page forms carry the token too, admin actions are refused either way', async (t) => {
  const s = await buildWebStack(t);
  await s.addUser('tech', 'installer');
  seedOffice(s.repos);
  const tech = (await login(s.app, 'tech')).session!;
  const page = await tech.get(`/installer?mac=${SPA303_MAC}`);
  const forms = postFormsIn('/installer', page.body);
  t.ok(forms.length >= 2, 'assign form and logout');
  t.same(forms.filter((f) => !/name="_csrf" value="[\w-]{20,}"/.test(f.body)).map((f) => f.action), []);
  const links = linksIn(page.body);
  t.same(links.filter((l) => l.startsWith('/admin')), [], 'no admin links are shown to installers');
  for (const url of [`/admin/devices/${SPA303_MAC}/resync`, `/admin/devices/${SPA303_MAC}/reopen`, '/admin/extensions/101/rotate', '/admin/users']) {
    t.equal((await tech.post(url, {})).statusCode, 403, `POST ${url}`);
  }
});
