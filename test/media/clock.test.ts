import t from 'tap';
import { performance } from 'node:perf_hooks';
import { createMediaClock } from '../../src/media/clock.js';

t.test('one clock paces many streams without drift, each at its own ptime', async (t) => {
  const clock = createMediaClock({ tickMs: 10 });
  t.teardown(() => clock.close());
  const sendTimes20: number[] = [];
  const streams = Array.from({ length: 60 }, (_, i) => ({
    ptimeMs: i % 2 ? 30 : 20, frames: 0, firstAt: 0,
    onFrame() {
      const now = performance.now();
      if (this.frames++ === 0) this.firstAt = now;
      if (this.ptimeMs === 20) sendTimes20.push(now);
    },
  }));
  for (const stream of streams) clock.add(stream);
  t.equal(clock.stats().streams, 60);
  const started = performance.now();
  await new Promise((r) => setTimeout(r, 1200));
  const elapsed = performance.now() - started;
  for (const ptime of [20, 30]) {
    const group = streams.filter((s) => s.ptimeMs === ptime);
    // Frames owed by the grid since each stream's first frame: late ticks catch up, so no drift.
    const worst = Math.max(...group.map((s) => Math.abs(s.frames - (1 + Math.floor((performance.now() - s.firstAt) / ptime)))));
    // Frames the clock deliberately dropped after a long stall (overloaded machine) are not drift.
    const allowed = 3 + clock.stats().skippedFrames;
    t.ok(worst <= allowed, `ptime ${ptime}: every stream within ${allowed} frames of wall-clock schedule (worst ${worst}, ${elapsed.toFixed(0)} ms)`);
  }
  // Sends of one tick happen within a fraction of a millisecond: cluster them to count per tick.
  const perTick: number[] = [];
  for (let i = 0; i < sendTimes20.length; i++) {
    if (i === 0 || sendTimes20[i]! - sendTimes20[i - 1]! > 2) perTick.push(0);
    perTick[perTick.length - 1]!++;
  }
  perTick.sort((a, b) => a - b);
  const median = perTick[Math.floor(perTick.length / 2)]!;
  t.ok(median <= 20, `the 30 streams of ptime 20 are spread over both 10 ms slots (median ${median} sends per tick)`);
  const stats = clock.stats();
  t.ok(stats.ticks >= 60, `ticks ran (${stats.ticks})`);
  t.ok(stats.tickLateness.p50 >= 0 && stats.tickLateness.max >= stats.tickLateness.p95, 'lateness is reported');
  for (const stream of streams) clock.remove(stream);
  t.equal(clock.stats().streams, 0);
  const frames = streams.reduce((n, s) => n + s.frames, 0);
  await new Promise((r) => setTimeout(r, 100));
  t.equal(streams.reduce((n, s) => n + s.frames, 0), frames, 'removed streams get no more frames (timer stopped)');
});

t.test('the early wake-up and its setImmediate wait stop with the last stream', async (t) => {
  const clock = createMediaClock({ tickMs: 10, spinLeadMs: 3 });
  let frames = 0;
  const stream = { ptimeMs: 20, onFrame: () => { frames++; } };
  const before = process.getActiveResourcesInfo().filter((r) => r === 'Immediate' || r === 'Timeout').length;
  clock.add(stream);
  await new Promise((r) => setTimeout(r, 120));
  t.ok(frames >= 3, `frames were sent (${frames})`);
  clock.remove(stream);
  const sent = frames;
  await new Promise((r) => setTimeout(r, 60));
  t.equal(frames, sent, 'no frame after remove');
  const after = process.getActiveResourcesInfo().filter((r) => r === 'Immediate' || r === 'Timeout').length;
  t.ok(after <= before, `no timer or immediate left behind (before ${before}, after ${after})`);
  clock.close();
});
