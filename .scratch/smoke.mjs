import { chromium } from 'playwright-core';

const root = '/work/wt-inspector/.build';
const { KompactConfig, ComponentDefinition, port, biconnectComponents } = await import(
  `${root}/src/index.js`
);
const { startInspector } = await import(`${root}/src/inspector/index.js`);
const P = port('Counting');
class Prov extends ComponentDefinition {
  p = this.providePort(P, () => {});
  receiveLocal(m) {
    if (m === 'boom') throw new Error('boom');
  }
}
class Req extends ComponentDefinition {
  r = this.requirePort(P, () => {});
  receiveLocal() {}
}
const system = await KompactConfig.default().logLevel('silent').build();
const a = system.create(() => new Prov());
const b = system.create(() => new Req());
biconnectComponents(P, a, b);
await system.startNotify(a);
await system.startNotify(b);
a.setRecoveryFunction((f) => f.restartDefault(() => new Prov()));
const inspector = await startInspector(system, { actions: true });
console.log(inspector.url);
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
const page = await browser.newPage({ viewport: { width: 1400, height: 1100 } });
page.on('console', (m) => console.log('console:', m.text()));
page.on('pageerror', (e) => console.log('pageerror:', e.message));
await page.goto(inspector.url);
await page.waitForSelector(`#component-table tr[data-id]`);
for (let i = 0; i < 1000; i++) b.actorRef().tell(i);
a.actorRef().tell('boom');
await page.waitForSelector('#timeline-list li', { timeout: 5000 });
await new Promise((r) => setTimeout(r, 1200));
console.log(await page.evaluate(() => window.kompactInspector.graph.edges().length));
await page.screenshot({ path: '/tmp/insp/shot.png', fullPage: true });
await browser.close();
await inspector.close();
await system.shutdown();
