/** Browser-test helpers: Debian's chromium, and screenshots at phone and desktop width saved as test artifacts. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { findRepoRoot } from '../../src/provisioning/models.js';

export const CHROMIUM = '/usr/bin/chromium';
export const SHOTS = join(findRepoRoot(), 'test-artifacts', 'screenshots');
export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1280, height: 800 };

/** Saves `<name>-phone.png` and `<name>-desktop.png` of the full page. */
export async function shoot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  for (const [size, viewport] of [['phone', PHONE], ['desktop', DESKTOP]] as const) {
    await page.setViewportSize(viewport);
    await page.screenshot({ path: join(SHOTS, `${name}-${size}.png`), fullPage: true });
  }
}
