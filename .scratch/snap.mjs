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
const res = await fetch(`${inspector.url}api/snapshot`);
const s = await res.json();
console.log(JSON.stringify(s.ports));
console.log((await fetch(inspector.url.replace(/\/[^/]+\/$/, '/x/api/snapshot'))).status);
await inspector.close();
await system.shutdown();
