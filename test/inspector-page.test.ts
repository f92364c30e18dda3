// The inspector page in a real browser: Debian's headless Chromium (/usr/bin/chromium, which .ci/run
// installs), driven by playwright-core. One browser for the file, one page per test, all on loopback.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { type Browser, chromium, type Page } from 'playwright-core';
import { biconnectComponents, ComponentDefinition, type KompactSystem } from '../src/index.js';
import { type Inspector, type InspectorOptions, startInspector } from '../src/inspector/index.js';
import { withSystem } from '../src/testing/index.js';
import { CountPort, CountProvider, PortUser } from './support/definitions.js';
import { within } from './support/promises.js';

const CHROMIUM = '/usr/bin/chromium';
/** Generous: the machine is shared and loaded; a page that never shows something fails after this. */
const PAGE_DEADLINE_MS = 15_000;

class Flaky extends ComponentDefinition<string> {
  override receiveLocal(message: string): void {
    if (message === 'crash') throw new Error('flaky crashed');
  }
}

let browser: Browser | undefined;

before(async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)`);
  browser = await within(
    chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] }),
    60_000,
    'Chromium to launch',
  );
});

after(async () => {
  await browser?.close();
});

/** Runs `body` with a system, an inspector on it and a fresh browser page; closes all three. */
async function withPage(
  body: (system: KompactSystem, inspector: Inspector, page: Page) => Promise<void>,
  options: InspectorOptions = {},
) {
  await withSystem(async (system) => {
    const inspector = await startInspector(system, options);
    const page = await (browser as Browser).newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    try {
      await body(system, inspector, page);
      assert.deepEqual(errors, [], 'the page threw');
    } finally {
      await page.close();
      await inspector.close();
    }
  });
}

describe('The inspector page', () => {
  it('loads with the token and not without it', async () => {
    await withPage(async (_system, inspector, page) => {
      const withoutToken = await within(
        page.goto(new URL(inspector.url).origin),
        PAGE_DEADLINE_MS,
        'the page without a token',
      );
      assert.equal(withoutToken?.status(), 401);
      const withToken = await within(page.goto(inspector.url), PAGE_DEADLINE_MS, 'the page with its token');
      assert.equal(withToken?.status(), 200);
      await within(
        page.waitForSelector('#connection.live', { timeout: PAGE_DEADLINE_MS }),
        PAGE_DEADLINE_MS,
        'the page to connect to its event stream',
      );
    });
  });

  it('lists a started component in the components table', async () => {
    await withPage(async (system, inspector, page) => {
      const flaky = system.create(() => new Flaky());
      await system.startNotify(flaky);
      await page.goto(inspector.url);
      const row = `#component-table tr[data-id="${flaky.id}"]`;
      await within(page.waitForSelector(row, { timeout: PAGE_DEADLINE_MS }), PAGE_DEADLINE_MS, 'the row');
      assert.equal(await page.textContent(`${row} td:nth-child(2)`), 'Flaky');
      assert.equal(await page.textContent(`${row} td:nth-child(3)`), 'active');
      // Read-only by default: no action buttons.
      assert.equal(await page.locator(`${row} button`).count(), 0);
    });
  });

  it('shows a fault in the timeline within a second, and the restart on its component', async () => {
    await withPage(async (system, inspector, page) => {
      const flaky = system.create(() => new Flaky());
      flaky.setRecoveryFunction((fault) => fault.replaceWith(() => new Flaky()));
      await system.startNotify(flaky);
      await page.goto(inspector.url);
      await page.waitForSelector('#connection.live', { timeout: PAGE_DEADLINE_MS });
      const crashedAt = performance.now();
      flaky.actorRef().tell('crash');
      await within(
        page.waitForSelector(`#timeline-list li[data-kind="fault"][data-component="${flaky.id}"]`, {
          timeout: PAGE_DEADLINE_MS,
        }),
        PAGE_DEADLINE_MS,
        'the fault in the timeline',
      );
      const shownAfterMs = performance.now() - crashedAt;
      // A fault brings the next snapshot forward (at most 250 ms after the previous one): well within a
      // second on an idle machine; a loaded one gets slack.
      assert.ok(shownAfterMs < 3000, `the fault took ${Math.round(shownAfterMs)} ms to show`);
      // Clicking the fault leads to the component that replaced the faulted one, which shows the restart.
      await page.click(`#timeline-list li[data-kind="fault"][data-component="${flaky.id}"]`);
      const selected = await within(
        page.waitForSelector('#component-table tr.selected', { timeout: PAGE_DEADLINE_MS }),
        PAGE_DEADLINE_MS,
        'the clicked component to be selected',
      );
      assert.equal(await selected.$eval('td:nth-child(7)', (cell) => cell.textContent), '1');
      assert.match(
        (await selected.$eval('td:nth-child(8)', (cell) => cell.textContent)) ?? '',
        /flaky crashed/,
      );
    });
  });

  it('kills a component from its row when started with actions: true', async () => {
    await withPage(
      async (system, inspector, page) => {
        const flaky = system.create(() => new Flaky());
        await system.startNotify(flaky);
        await page.goto(inspector.url);
        const kill = `#component-table tr[data-id="${flaky.id}"] button:text-is("kill")`;
        await within(
          page.waitForSelector(kill, { timeout: PAGE_DEADLINE_MS }),
          PAGE_DEADLINE_MS,
          'the button',
        );
        await page.click(kill);
        await within(
          page.waitForSelector(`#component-table tr[data-id="${flaky.id}"]`, {
            state: 'detached',
            timeout: PAGE_DEADLINE_MS,
          }),
          PAGE_DEADLINE_MS,
          'the killed component to leave the table',
        );
        assert.ok(flaky.isDestroyed());
      },
      { actions: true },
    );
  });

  it('draws an edge of the port graph for a port connection', async () => {
    await withPage(async (system, inspector, page) => {
      const provider = system.create(() => new CountProvider());
      const user = system.create(() => new PortUser());
      biconnectComponents(CountPort, provider, user);
      await page.goto(inspector.url);
      const edge = await within(
        page.waitForFunction(
          () => {
            // Runs in the page, where the inspector puts its graph on the global object.
            const graph = (
              globalThis as { kompactInspector?: { graph: { edges(): { jsons(): unknown[] } } } }
            ).kompactInspector?.graph;
            const edges = graph?.edges().jsons() as {
              data: { source: string; target: string; port: string };
            }[];
            return edges !== undefined && edges.length > 0 ? edges[0]?.data : undefined;
          },
          undefined,
          { timeout: PAGE_DEADLINE_MS },
        ),
        PAGE_DEADLINE_MS,
        'an edge in the port graph',
      );
      assert.deepEqual(await edge.jsonValue(), {
        id: `${provider.id}>${user.id}:CountPort`,
        source: provider.id,
        target: user.id,
        port: 'CountPort',
      });
    });
  });
});
