import { chromium } from 'playwright-core';

const root = '/work/wt-inspector/.build';
const { KompactConfig, ComponentDefinition, port, biconnectComponents } = await import(
  `${root}/src/index.js`
);
const { startInspector } = await import(`${root}/src/inspector/index.js`);
const P = port('Counting');
class Prov extends ComponentDefinition {
  p = this.providePort(P, () => {});
}
class Req extends ComponentDefinition {
  r = this.requirePort(P, () => {});
}
const system = await KompactConfig.default().logLevel('silent').build();
const a = system.create(() => new Prov());
const b = system.create(() => new Req());
biconnectComponents(P, a, b);
const inspector = await startInspector(system);
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
const page = await browser.newPage();
page.on('console', (m) => console.log('console:', m.text()));
page.on('pageerror', (e) => console.log('pageerror:', e.message));
await page.goto(inspector.url);
await page.waitForSelector(`#component-table tr[data-id]`);
console.log(
  await page.evaluate(() => JSON.stringify(window.kompactInspector.graph.elements().map((e) => e.data()))),
);
await browser.close();
await inspector.close();
await system.shutdown();
