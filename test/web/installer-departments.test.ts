/**
 * Installer page and API: a line/port gets an extension or a department (a queue). A
 * department alone creates a new extension next to its agents; changing the department
 * moves the extension; a refused device leaves no extension or membership behind.
 */
import t from 'tap';
import { buildWebStack, login } from '../helpers/web.js';
import { seedOffice } from '../helpers/provisioning.js';

async function officeWithDepartments(t: Parameters<typeof buildWebStack>[0]) {
  const s = await buildWebStack(t);
  await s.addUser('tech', 'installer');
  seedOffice(s.repos);
  s.repos.mailboxes.add({ box: '500', name: 'Biuro' });
  s.repos.queues.add({ number: '30', name: 'Sales', overflow: '500', members: ['101', '102'] });
  s.repos.queues.add({ number: '40', name: 'Support', overflow: '500', members: [] });
  return s;
}

const members = (s: Awaited<ReturnType<typeof officeWithDepartments>>, queue: string) => s.repos.queues.get(queue)!.members.map((m) => m.extension);

t.test('installer: a port with only a department gets a new extension numbered next to its agents', async (t) => {
  const s = await officeWithDepartments(t);
  const b = (await login(s.app, 'tech')).session!;
  const mac = 'a0b1c2d3e4f6';

  const form = await b.get(`/installer?mac=${mac}`);
  t.match(form.body, /<label for="dept1">Department for line \/ port 1<\/label>/);
  t.match(form.body, /<option value="30" >30 – Sales<\/option>/);
  t.match(form.body, /Choose only the department: a new extension is created/);

  const saved = await b.post('/installer', { mac, model: 'spa112', line1: '', dept1: '30', deptWas1: '' });
  t.equal(saved.statusCode, 303);
  t.equal(saved.headers.location, `/installer?mac=${mac}&saved=1&created=103`, 'Sales agents are 101, 102: the new one is 103');
  const ext = s.repos.extensions.get('103')!;
  t.equal(ext.displayName, 'Sales');
  t.ok(ext.sipPassword.length >= 16, 'a generated SIP password');
  t.same(s.repos.devices.get(mac)!.lines, ['103']);
  t.same(members(s, '30'), ['101', '102', '103']);

  const after = await b.get(saved.headers.location as string);
  t.match(after.body, /Saved\. New extension 103 created\./);
  t.notMatch(after.body, ext.sipPassword, 'the installer never sees the SIP password');
  t.match(after.body, /<option value="30" selected>30 – Sales<\/option>/, 'the line shows its department');
  t.match(after.body, /name="deptWas1" value="30"/);

  const actions = s.repos.audit.recent(10).map((a) => a.action);
  t.same(actions.slice(0, 3).sort(), ['device.create', 'extension.create', 'queue.member-add']);
  t.notMatch(JSON.stringify(s.repos.audit.recent(10)), ext.sipPassword, 'no secret in the audit log');

  // A department with no agents numbers from <queue>1.
  const second = await b.post('/installer', { mac: '00aabbccdd01', model: 'spa112', dept1: '40' });
  t.equal(second.headers.location, '/installer?mac=00aabbccdd01&saved=1&created=401');
  t.same(members(s, '40'), ['401']);
});

t.test('installer: changing a line\'s department moves its extension; an extension plus a department joins it', async (t) => {
  const s = await officeWithDepartments(t);
  const b = (await login(s.app, 'tech')).session!;
  const mac = 'a0b1c2d3e4f7';
  t.equal((await b.post('/installer', { mac, model: 'spa303', line1: '201', dept1: '30', deptWas1: '' })).statusCode, 303);
  t.same(members(s, '30'), ['101', '102', '201'], '201 joined Sales');
  t.equal((await b.post('/installer', { mac, model: 'spa303', line1: '201', dept1: '40', deptWas1: '30' })).statusCode, 303);
  t.same(members(s, '30'), ['101', '102'], 'left Sales');
  t.same(members(s, '40'), ['201'], 'joined Support');
  t.equal((await b.post('/installer', { mac, model: 'spa303', line1: '201', dept1: '', deptWas1: '40' })).statusCode, 303);
  t.same(members(s, '40'), [], 'no department: left Support');
  t.equal(s.repos.extensions.list().length, 3, 'no extension created when one was chosen');
});

t.test('installer: a refused save leaves no extension or membership behind; unknown department named', async (t) => {
  const s = await officeWithDepartments(t);
  const b = (await login(s.app, 'tech')).session!;
  // SPA112 has two ports: three lines are refused after line 1's extension would have been made.
  const refused = await b.post('/installer', { mac: 'a0b1c2d3e4f8', model: 'spa112', line1: '', dept1: '30', line2: '101', line3: '102' });
  t.equal(refused.statusCode, 400);
  t.equal(s.repos.extensions.get('103'), undefined, 'rolled back: no extension 103');
  t.same(members(s, '30'), ['101', '102']);
  t.equal(s.repos.devices.get('a0b1c2d3e4f8'), undefined);
  t.match(refused.body, /<option value="30" selected>/, 'the form keeps what was chosen');

  const unknown = await b.post('/installer', { mac: 'a0b1c2d3e4f8', model: 'spa112', dept1: '77' });
  t.equal(unknown.statusCode, 400);
  t.match(unknown.body, /department 77 does not exist/);
  t.match(unknown.body, /id="dept1" name="dept1" aria-describedby="dept-hint" aria-invalid="true"/);
});

t.test('API: departments per line, new extension for "" lines, with the same checks', async (t) => {
  const s = await officeWithDepartments(t);
  await s.addUser('anna', 'admin');
  const b = (await login(s.app, 'anna')).session!;
  const page = await b.post('/admin/api-tokens', { name: 'ci' });
  const token = /<code class="secret">(hf_[\w-]+)<\/code>/.exec(page.body)![1]!;
  const call = (method: 'POST' | 'PATCH', url: string, payload: object) =>
    s.app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, payload });

  const created = await call('POST', '/api/devices', { mac: '001122334455', model: 'spa112', lines: ['', '201'], departments: ['30', '40'] });
  t.equal(created.statusCode, 201, created.body);
  t.same(created.json().createdExtensions, ['103']);
  t.same(created.json().device.lines, ['103', '201']);
  t.same(members(s, '30'), ['101', '102', '103']);
  t.same(members(s, '40'), ['201']);

  const tooMany = await call('POST', '/api/devices', { mac: '001122334456', model: 'spa112', lines: ['101'], departments: ['30', '40'] });
  t.equal(tooMany.statusCode, 400);
  t.match(tooMany.json(), { error: { field: 'departments', message: /2 entries for 1 line/ } });

  const orphan = await call('PATCH', '/api/devices/001122334455', { departments: ['40'] });
  t.equal(orphan.statusCode, 400);
  t.match(orphan.json(), { error: { field: 'departments', message: /departments go with lines/ } });

  const moved = await call('PATCH', '/api/devices/001122334455', { lines: ['', '201'], departments: ['40', ''] });
  t.equal(moved.statusCode, 200, moved.body);
  t.same(moved.json().createdExtensions, ['202'], 'Support already has agent 201: the next is 202');
  t.same(moved.json().device.lines, ['202', '201']);

  const unknownDept = await call('POST', '/api/devices', { mac: '001122334457', model: 'spa112', lines: [''], departments: ['99'] });
  t.equal(unknownDept.statusCode, 400);
  t.match(unknownDept.json(), { error: { field: 'departments', message: /department 99 does not exist/ } });
  t.equal(s.repos.devices.get('001122334457'), undefined);
});
