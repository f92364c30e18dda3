// A module without a worker definition as its default export.
export const notAWorker = true;
export default { setup: () => {} };
