/**
 * Top self-time functions of a V8 .cpuprofile (from `node --cpu-prof`), as a markdown table.
 *
 *   NODE_OPTIONS="--cpu-prof --cpu-prof-dir=bench/results/prof" npx tsx bench/sip-calls.ts
 *   npx tsx bench/sip-profile-summary.ts bench/results/prof/<file>.cpuprofile [top=25]
 */
import { readFileSync } from 'node:fs';

interface Node { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }
interface Profile { nodes: Node[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number }

const [file, topArg] = process.argv.slice(2);
if (file === undefined) {
  process.stderr.write('usage: npx tsx bench/sip-profile-summary.ts <file.cpuprofile> [top]\n');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map<number, number>();
profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
const total = [...self.values()].reduce((a, b) => a + b, 0);
const grouped = new Map<string, number>();
const area = new Map<string, number>();
for (const [id, us] of self) {
  const f = byId.get(id)!.callFrame;
  const where = f.url.replace(/^file:\/\//, '').replace(/^.*\/work\/main\//, '').replace(/^.*node_modules\//, 'node_modules/');
  const key = `${f.functionName || '(anonymous)'} — ${where || '(native)'}${where ? `:${f.lineNumber + 1}` : ''}`;
  grouped.set(key, (grouped.get(key) ?? 0) + us);
  const bucket = where === '' ? f.functionName : where.startsWith('src/sip/') ? where.split('/').slice(0, 3).join('/')
    : where.startsWith('node_modules/') ? where.split('/').slice(0, 2).join('/') : where.startsWith('node:') ? 'node internals' : where.split('/').slice(0, 2).join('/');
  area.set(bucket, (area.get(bucket) ?? 0) + us);
}
const top = Number(topArg ?? 25);
const pct = (us: number) => ((100 * us) / total).toFixed(1);
const lines = [`Profile ${file}: ${(total / 1e6).toFixed(2)} s sampled`, '', '| self % | self ms | function — location |', '|---:|---:|---|'];
for (const [key, us] of [...grouped].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`| ${pct(us)} | ${(us / 1000).toFixed(0)} | ${key.replace(/\|/g, '\\|')} |`);
lines.push('', '| self % | area |', '|---:|---|');
for (const [key, us] of [...area].sort((a, b) => b[1] - a[1]).slice(0, 15)) lines.push(`| ${pct(us)} | ${key} |`);
process.stdout.write(`${lines.join('\n')}\n`);
