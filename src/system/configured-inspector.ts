import type { Logger } from 'pino';
import type { InspectorSettings } from './kompact-config.js';
import type { KompactSystem } from './kompact-system.js';

/** What the system needs of the `kompact-ts/inspector` module to start a configured inspector. */
interface InspectorModule {
  startInspector(
    system: KompactSystem,
    options: { readonly port: number; readonly host: string; readonly actions: boolean },
  ): Promise<{ readonly url: string }>;
}

/**
 * Starts the inspector that `kompact.inspector.port` asks for, and logs its URL (token included: the
 * one way a configured inspector's user learns it). The inspector is a layer above this one, so it is
 * loaded here by a dynamic import of its URL, and only when configured: a system without the key loads
 * none of it, and `test/layers.test.ts` allows this one upward import by name. The inspector closes
 * itself when the system terminates.
 */
export async function startConfiguredInspector(
  system: KompactSystem,
  settings: InspectorSettings,
  logger: Logger,
): Promise<void> {
  const entry = new URL('../inspector/index.js', import.meta.url).href;
  const inspector = (await import(entry)) as InspectorModule;
  const { url } = await inspector.startInspector(system, settings);
  logger.info({ url }, `Inspector at ${url}`);
}
