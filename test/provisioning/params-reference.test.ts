/**
 * Acceptance criterion: every element name in every profile we render (bootstrap, per-MAC with
 * all features, without-secrets, masked) is a name the model's firmware knows, as listed in its
 * params reference (firmware-profiles/params/<model>.txt, which includes the container names
 * flat-profile and router-configuration).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { findRepoRoot } from '../../src/provisioning/models.js';
import { allElementNames, extensions, models, renderer, spa112, spa303 } from './content-fixtures.js';

const root = findRepoRoot();

function knownNames(modelId: string): Set<string> {
  const ref = models.get(modelId)!.paramsReference;
  if (!ref) throw new Error(`${modelId} has no paramsReference`);
  return new Set(readFileSync(join(root, ref), 'utf8').split('\n').map((l) => l.trim()).filter(Boolean));
}

const report = (firmware: string) => ({ mac: 'x', firmware, params: {}, receivedAt: '2026-01-01T00:00:00Z' });

const cases = [
  { label: 'spa303 bootstrap', model: 'spa303', render: () => renderer().renderBootstrap('spa303') },
  { label: 'spa112 bootstrap', model: 'spa112', render: () => renderer().renderBootstrap('spa112') },
  {
    label: 'spa303 all features', model: 'spa303',
    render: () => renderer().renderDevice(spa303({
      lines: ['10'], functionKeys: [{ key: 2, kind: 'blf', target: '11' }, { key: 3, kind: 'speeddial', target: '21' }],
    }), extensions, { report: report('7.5.5') }),
  },
  { label: 'spa303 three lines, us region', model: 'spa303', render: () => renderer().renderDevice(spa303({ lines: ['10', '11', '12'], region: 'us' }), extensions) },
  { label: 'spa303 masked', model: 'spa303', render: () => renderer().renderDevice(spa303(), extensions, { maskSecrets: true }) },
  { label: 'spa303 without secrets', model: 'spa303', render: () => renderer().renderDevice(spa303(), extensions, { withoutSecrets: true }) },
  {
    label: 'spa112 all features', model: 'spa112',
    render: () => renderer().renderDevice(spa112({ lines: ['21', '102'], hookFlashPreset: 'europe-270ms' }), extensions, { report: report('1.3.5p') }),
  },
  { label: 'spa112 one port, us region', model: 'spa112', render: () => renderer({ settings: { region: 'us' } }).renderDevice(spa112(), extensions) },
  { label: 'spa112 without secrets', model: 'spa112', render: () => renderer().renderDevice(spa112(), extensions, { withoutSecrets: true }) },
];

for (const c of cases) {
  t.test(`${c.label}: every element name is in the ${c.model} params list`, async (t) => {
    const known = knownNames(c.model);
    const names = await allElementNames(c.render().body);
    t.ok(names.length > 2, 'profile has elements');
    const unknown = names.filter((n) => !known.has(n));
    t.same(unknown, [], `unknown names: ${unknown.join(', ')}`);
  });
}

t.test('the check itself catches a name the firmware does not know', async (t) => {
  const known = knownNames('spa303');
  const names = await allElementNames('<flat-profile><Short_Name_1_>x</Short_Name_1_><Line_Enable_1_>No</Line_Enable_1_></flat-profile>');
  t.same(names.filter((n) => !known.has(n)), ['Short_Name_1_']);
});

t.test('the params lists ship inside the repository with the models', async (t) => {
  for (const id of ['spa303', 'spa112']) {
    const shipped = knownNames(id);
    t.ok(shipped.has('flat-profile'), `${id} list includes the root element`);
    t.ok(shipped.size > 100, `${id} list is not empty`);
  }
});
