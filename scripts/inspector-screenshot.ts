// `npm run docs:screenshot`: takes docs/inspector.png, the book's picture of the inspector page. Runs the
// inspector example's system (examples/inspector.ts) for a few seconds so that the unstable counter has
// crashed and recovered, opens the page in Debian's headless Chromium (/usr/bin/chromium), selects the
// latest fault's component and saves a screenshot. Not a test: it rewrites a file of the book.
import { resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { startDemo } from '../examples/inspector.js';

// Compiled to .build/scripts/: the project root is two folders up.
const root = resolve(import.meta.dirname, '..', '..');
const target = resolve(root, 'docs', 'inspector.png');

const { system, inspector } = await startDemo();
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1200 } });
  await page.goto(inspector.url);
  // The sensor wears out about every 3 s and is replaced: wait for that, and select its replacement.
  await page.waitForSelector('#timeline-list li[data-kind="recovered"]:has-text("Sensor")', {
    timeout: 30_000,
  });
  await page.click('#timeline-list li[data-kind="fault"]:has-text("Sensor")');
  await page.fill('#filter', '');
  await page.dispatchEvent('#filter', 'input');
  await page.waitForTimeout(1500);
  await page.screenshot({ path: target, fullPage: true });
  console.log(`Wrote ${target}`);
} finally {
  await browser.close();
  await inspector.close();
  await system.shutdown();
}
