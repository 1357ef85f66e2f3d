import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { repoRoot } from './paths.js';

/** Debian's chromium (apt-get install chromium), or CROSSPROBE_CHROMIUM. */
export const CHROMIUM_PATH = process.env.CROSSPROBE_CHROMIUM ?? '/usr/bin/chromium';

/** Why browser tests cannot run here, or false when they can. */
export const browserSkip: string | false = existsSync(CHROMIUM_PATH)
  ? false
  : `chromium is not installed at ${CHROMIUM_PATH}: sudo apt-get install -y chromium (or set CROSSPROBE_CHROMIUM)`;

/** Where tests leave screenshots for a human to look at (gitignored). */
export const SCREENSHOTS = join(repoRoot, 'artifacts', 'screenshots');

export function screenshotPath(name: string): string {
  mkdirSync(SCREENSHOTS, { recursive: true });
  return join(SCREENSHOTS, name);
}

/** Headless Chromium; as root it needs --no-sandbox. Close it in an after/finally hook. */
export function launchChromium(): Promise<Browser> {
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: root ? ['--no-sandbox'] : [] });
}

/** What a page did that a test must see: every request, console errors, uncaught errors, dialogs (alert()). */
export interface PageWatch {
  readonly requests: string[];
  readonly errors: string[];
  readonly dialogs: string[];
}

export function watchPage(page: Page): PageWatch {
  const watch: PageWatch = { requests: [], errors: [], dialogs: [] };
  page.on('request', (r) => watch.requests.push(r.url()));
  page.on('console', (m) => {
    if (m.type() === 'error') watch.errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => watch.errors.push(`page: ${e.message}`));
  page.on('dialog', (d) => {
    watch.dialogs.push(d.message());
    void d.dismiss();
  });
  return watch;
}
