import t from 'tap';
import { applyStarCode, parseStarCode, STAR_CODES, type StarCodeResult } from '../../../src/pbx/rules/star-codes.js';
import type { DirectoryLookup } from '../../../src/pbx/types.js';

const directory: DirectoryLookup = {
  isExtension: (n) => ['10', '11', '102'].includes(n),
  isQueue: (n) => n === '500',
  isMailbox: () => false,
};
const parse = (dialled: string) => parseStarCode(dialled, { caller: '10', directory });

t.test('set and clear codes for all, busy and no answer', async (t) => {
  t.same(parse('*7211'), { kind: 'set-forward', condition: 'always', to: { kind: 'extension', number: '11' } });
  t.same(parse('*73'), { kind: 'clear-forward', condition: 'always' });
  t.same(parse('*90102'), { kind: 'set-forward', condition: 'busy', to: { kind: 'extension', number: '102' } });
  t.same(parse('*91'), { kind: 'clear-forward', condition: 'busy' });
  t.same(parse('*92500'), { kind: 'set-forward', condition: 'noAnswer', to: { kind: 'queue', number: '500' } });
  t.same(parse('*93#'), { kind: 'clear-forward', condition: 'noAnswer' }, 'a trailing # is the send key');
});

t.test('ordinary numbers and other star codes are not ours', async (t) => {
  t.same(parse('102'), { kind: 'none' });
  t.same(parse('*69'), { kind: 'none' });
  t.same(parse('*7'), { kind: 'none' });
});

t.test('mistakes get a reason the user can understand', async (t) => {
  t.same(parse('*72'), { kind: 'error', code: '*72', reason: 'dial *72 followed by the number to forward to' });
  t.same(parse('*7299'), { kind: 'error', code: '*72', reason: '99 is not an extension or queue here' });
  t.same(parse('*7210'), { kind: 'error', code: '*72', reason: 'cannot forward 10 to itself' });
  t.same(parse('*72*11'), { kind: 'error', code: '*72', reason: '"*11" is not a number' });
  t.same(parse('*7311'), { kind: 'error', code: '*73', reason: '*73 takes no number after it' });
});

t.test('applying a code changes only its own condition', async (t) => {
  const set = parse('*7211') as Extract<StarCodeResult, { kind: 'set-forward' }>;
  const rules = { busy: { kind: 'voicemail', box: '10' } as const };
  t.same(applyStarCode(rules, set), { busy: { kind: 'voicemail', box: '10' }, always: { kind: 'extension', number: '11' } });
  t.same(rules, { busy: { kind: 'voicemail', box: '10' } }, 'the input is not modified');
  t.same(applyStarCode({ always: { kind: 'extension', number: '11' }, busy: { kind: 'hangup' } }, { kind: 'clear-forward', condition: 'always' }),
    { busy: { kind: 'hangup' } });
  const noAnswer = parse('*92102') as Extract<StarCodeResult, { kind: 'set-forward' }>;
  t.same(applyStarCode({}, noAnswer), { noAnswer: { after: 20, to: { kind: 'extension', number: '102' } } }, 'default ring time');
  t.same(applyStarCode({ noAnswer: { after: 35, to: { kind: 'hangup' } } }, noAnswer),
    { noAnswer: { after: 35, to: { kind: 'extension', number: '102' } } }, 'keeps the ring time');
});

t.test('STAR_CODES lists every code once with a dial-plan pattern that matches it', async (t) => {
  t.same(STAR_CODES.map((c) => c.code), ['*72', '*73', '*90', '*91', '*92', '*93']);
  for (const c of STAR_CODES) {
    t.ok(c.dialPlan.startsWith(c.code), `${c.code} → ${c.dialPlan}`);
    t.equal(c.dialPlan.endsWith('xx.'), c.action === 'set', `${c.code}: only set codes take a number`);
    t.ok(c.example.startsWith(c.code) && (c.action === 'clear') === (c.example === c.code), `${c.code} example ${c.example}`);
  }
  t.ok(Object.isFrozen(STAR_CODES));
});
