import { existsSync } from 'node:fs';
import puppeteer, { type Browser } from 'puppeteer-core';

export type { Browser, Page } from 'puppeteer-core';

/** Debian's chromium package; the tests never download a browser. */
export const CHROMIUM = '/usr/bin/chromium';

/** Why the browser tests cannot run here, or undefined when they can. */
export function chromiumMissing(): string | undefined {
  return existsSync(CHROMIUM) ? undefined : `${CHROMIUM} is not installed (Debian: apt-get install chromium)`;
}

/** Headless Chromium, as the dashboard tests and the screenshot script drive it. */
export async function launchChromium(): Promise<Browser> {
  return puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
}
