import { get, type IncomingMessage } from 'node:http';
import type { KompactSystem } from '../../../src/index.js';
import { startInspector } from '../../../src/inspector/index.js';

/** An inspector with one page's event stream open. */
export interface InspectorPage {
  /** Ends the stream and closes the inspector. */
  close(): Promise<void>;
}

/**
 * Starts an inspector on `system` and opens its event stream the way the page does (`GET events`),
 * reading and discarding every snapshot: the server samples and sends as it would for a browser, whose
 * own rendering runs in another process. Resolves once the first snapshot arrived.
 */
export async function openInspectorPage(system: KompactSystem): Promise<InspectorPage> {
  const inspector = await startInspector(system);
  const response = await new Promise<IncomingMessage>((resolve, reject) => {
    get(`${inspector.url}events`, resolve).once('error', reject);
  });
  await new Promise<void>((resolve) => {
    response.once('data', () => resolve());
  });
  response.resume();
  return {
    close: async () => {
      response.destroy();
      await inspector.close();
    },
  };
}
