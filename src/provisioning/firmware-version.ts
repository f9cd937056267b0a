/**
 * Orders firmware versions as Cisco writes them: "7.5.5" < "7.6.2" < "7.6.2c";
 * "1.3.5p" < "1.4.1" < "1.4.1(SR5)" == "1.4.1 SR5" == "1.4.1-SR5". A version is split into
 * numbers and letter runs; numbers compare numerically, letters alphabetically
 * (case-insensitive), and a version that is a prefix of another is older ("7.6.2" < "7.6.2c").
 */
type Part = number | string;

function parts(v: string): Part[] {
  const out: Part[] = [];
  for (const m of v.toLowerCase().matchAll(/(\d+)|([a-z]+)/g)) {
    out.push(m[1] !== undefined ? Number(m[1]) : m[2]!);
  }
  return out;
}

/** Negative when a is older than b, 0 when equal, positive when a is newer. */
export function compareFirmwareVersions(a: string, b: string): number {
  const pa = parts(a);
  const pb = parts(b);
  const n = Math.max(pa.length, pb.length);
  for (let i = 0; i < n; i++) {
    const x = pa[i];
    const y = pb[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    if (x === y) continue;
    if (typeof x === 'number' && typeof y === 'number') return x < y ? -1 : 1;
    // a number where the other has letters: "7.6.2.1" vs "7.6.2c" — count the number as newer
    if (typeof x === 'number') return 1;
    if (typeof y === 'number') return -1;
    return x < y ? -1 : 1;
  }
  return 0;
}

export function isOlderFirmware(a: string, b: string): boolean {
  return compareFirmwareVersions(a, b) < 0;
}
