import { CATALOGUE } from '../benchmarks/index.js';
import { type PointOutcome, parsePointRequest, RESULT_PREFIX } from './protocol.js';

// Measures one data point in this (fresh) process and reports it on stdout; started by run.ts as
// `node --expose-gc point.js '<PointRequest JSON>'`.

async function measurePoint(): Promise<PointOutcome> {
  try {
    const { point, mode } = parsePointRequest(process.argv[2]);
    const spec = CATALOGUE.find((candidate) => candidate.id === point.benchmark);
    if (spec === undefined) throw new Error(`Unknown benchmark \`${point.benchmark}\``);
    const measurement = await spec.measure(
      point.implementation,
      point.params,
      spec.policy(mode, point.params, point.implementation),
    );
    return { kind: 'measured', measurement };
  } catch (error) {
    return { kind: 'failed', error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
}

const outcome = await measurePoint();
// Exit explicitly: a handle the library leaked must not keep a finished point alive.
process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(outcome)}\n`, () => {
  process.exit(outcome.kind === 'measured' ? 0 : 1);
});
