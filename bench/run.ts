import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { BASELINE, type BenchmarkSpec, CATALOGUE, type Metric, type Mode, type Point } from './catalogue.js';
import type { Measurement } from './harness.js';
import type { Params } from './params.js';
import { type PointOutcome, type PointRequest, RESULT_PREFIX } from './protocol.js';

// The benchmark runner: one fresh Node process per data point (benchmark × parameters × implementation),
// a markdown table per benchmark with the ratio to the raw-loop baseline measured in the same run.
//
//   node .build/bench/run.js [--smoke] [--only B1,B2] [--impl raw-loop,kompact-ts] [--json FILE]
//
// To profile one point, run its process by hand:
//   node --expose-gc --cpu-prof .build/bench/point.js \
//     '{"mode":"full","point":{"benchmark":"B1","implementation":"kompact-ts","params":{"n":1000000}}}'

const USAGE = `Usage: node .build/bench/run.js [options]
  --smoke            testing-size parameters, one iteration per point (CI)
  --only IDS         run only these benchmarks (comma-separated or repeated), e.g. --only B1
  --impl NAMES       run only these implementations, e.g. --impl raw-loop,kompact-ts
  --json FILE        also write result rows { benchmark, params, implementation, metric, unit, value }
  --help             print this text`;

const POINT_SCRIPT = fileURLToPath(new URL('./point.js', import.meta.url));
const POINT_TIMEOUT_MS: Record<Mode, number> = { full: 240_000, smoke: 60_000 };

interface PointReport {
  readonly spec: BenchmarkSpec;
  readonly point: Point;
  readonly outcome: PointOutcome;
  readonly wallMs: number;
}

/** One row of the `--json` output. */
interface ResultRow {
  readonly benchmark: string;
  readonly params: Params;
  readonly implementation: string;
  readonly metric: string;
  readonly unit: string;
  readonly value: number;
}

function splitList(values: readonly string[] | undefined): string[] | undefined {
  return values?.flatMap((value) => value.split(',')).filter((value) => value.length > 0);
}

function runPoint(request: PointRequest): Promise<PointOutcome> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--expose-gc', POINT_SCRIPT, JSON.stringify(request)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const timeoutMs = POINT_TIMEOUT_MS[request.mode];
    let isTimedOut = false;
    const timer = setTimeout(() => {
      isTimedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    const fail = (error: string): void =>
      resolve({ kind: 'failed', error: stderr.trim() === '' ? error : `${error}\n${stderr.trim()}` });
    child.on('error', (error) => {
      clearTimeout(timer);
      fail(`could not start the point process: ${error.message}`);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (isTimedOut) return fail(`timed out after ${timeoutMs / 1000} s`);
      const line = stdout.split('\n').find((candidate) => candidate.startsWith(RESULT_PREFIX));
      if (line === undefined) {
        return fail(`the point process exited (${signal ?? `code ${code}`}) without a result`);
      }
      const outcome = JSON.parse(line.slice(RESULT_PREFIX.length)) as PointOutcome;
      if (outcome.kind === 'measured' && code !== 0) {
        return fail(`the point process exited with code ${code} after measuring`);
      }
      resolve(outcome);
    });
  });
}

const integerFormat = new Intl.NumberFormat('en-US');

function formatParams(params: Params): string {
  return Object.entries(params)
    .map(([name, value]) => `${name}=${typeof value === 'number' ? integerFormat.format(value) : value}`)
    .join(' ');
}

function formatMetric({ unit, value }: Metric): string {
  if (unit.endsWith('/s')) return (value / 1e6).toFixed(2);
  return value.toFixed(1);
}

function metricHeader({ unit }: Metric): string {
  return unit.endsWith('/s') ? `M ${unit}` : unit;
}

function headline(report: PointReport): number | undefined {
  if (report.outcome.kind !== 'measured') return undefined;
  return report.spec.metrics(report.point.params, report.outcome.measurement)[0]?.value;
}

function baselineOf(report: PointReport, reports: readonly PointReport[]): PointReport | undefined {
  const key = report.spec.comparisonKey(report.point.params);
  return reports.find(
    (candidate) =>
      candidate.spec === report.spec &&
      candidate.point.implementation === BASELINE &&
      candidate.outcome.kind === 'measured' &&
      candidate.spec.comparisonKey(candidate.point.params) === key,
  );
}

function ratioToBaseline(report: PointReport, reports: readonly PointReport[]): number | undefined {
  const value = headline(report);
  const baseline = baselineOf(report, reports);
  const baselineValue = baseline === undefined ? undefined : headline(baseline);
  return value === undefined || baselineValue === undefined ? undefined : value / baselineValue;
}

function timingColumns(measurement: Measurement): string[] {
  const { summary, isRseMet } = measurement;
  const halfWidth = (summary.ci95High - summary.ci95Low) / 2;
  // A single sample has no spread (and its NaN became null on the way through JSON).
  const rse = summary.count < 2 ? '–' : `${(summary.rse * 100).toFixed(1)} %${isRseMet ? '' : ' ⚠'}`;
  return [
    summary.median.toFixed(1),
    summary.count > 1 ? `${summary.mean.toFixed(1)} ± ${halfWidth.toFixed(1)}` : summary.mean.toFixed(1),
    rse,
    String(summary.count),
  ];
}

function table(spec: BenchmarkSpec, mode: Mode, reports: readonly PointReport[]): string {
  const own = reports.filter((report) => report.spec === spec);
  const sample = own.find((report) => report.outcome.kind === 'measured');
  const metricHeaders =
    sample?.outcome.kind === 'measured'
      ? spec.metrics(sample.point.params, sample.outcome.measurement).map(metricHeader)
      : ['M msgs/s'];
  const [firstHeader = 'M msgs/s', ...otherHeaders] = metricHeaders;
  const header = [
    'implementation',
    'params',
    firstHeader,
    `vs ${BASELINE}`,
    ...otherHeaders,
    'median ms',
    'mean ms ± CI95',
    'RSE',
    'iterations',
  ];
  const lines = [
    `## ${spec.id} ${spec.title}`,
    '',
    `| ${header.join(' | ')} |`,
    `|${' --- |'.repeat(header.length)}`,
  ];
  for (const report of own) {
    const { implementation, params } = report.point;
    if (report.outcome.kind === 'failed') {
      const reason = report.outcome.error.split('\n')[0] ?? 'failed';
      const cells = [implementation, formatParams(params), `FAILED: ${reason}`];
      while (cells.length < header.length) cells.push('');
      lines.push(`| ${cells.join(' | ')} |`);
      continue;
    }
    const [first, ...others] = spec.metrics(params, report.outcome.measurement);
    const ratio = ratioToBaseline(report, reports);
    const cells = [
      implementation,
      formatParams(params),
      first === undefined ? '–' : formatMetric(first),
      ratio === undefined ? '–' : `${ratio.toFixed(2)}×`,
      ...others.map(formatMetric),
      ...timingColumns(report.outcome.measurement),
    ];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  const notes = spec.notes(mode);
  if (notes.length > 0) lines.push('', ...notes.map((note) => `- ${note}`));
  return lines.join('\n');
}

function resultRows(reports: readonly PointReport[]): ResultRow[] {
  const rows: ResultRow[] = [];
  for (const report of reports) {
    if (report.outcome.kind !== 'measured') continue;
    const { benchmark, implementation, params } = report.point;
    const { measurement } = report.outcome;
    const row = (metric: string, unit: string, value: number): ResultRow => ({
      benchmark,
      params,
      implementation,
      metric,
      unit,
      value,
    });
    for (const { metric, unit, value } of report.spec.metrics(params, measurement)) {
      rows.push(row(metric, unit, value));
    }
    const ratio = ratioToBaseline(report, reports);
    if (ratio !== undefined) rows.push(row(`ratio-to-${BASELINE}`, 'x', ratio));
    rows.push(row('iteration-time-median', 'ms', measurement.summary.median));
    rows.push(row('iteration-time-mean', 'ms', measurement.summary.mean));
    if (measurement.summary.count > 1) {
      rows.push(row('iteration-time-ci95-low', 'ms', measurement.summary.ci95Low));
      rows.push(row('iteration-time-ci95-high', 'ms', measurement.summary.ci95High));
      rows.push(row('iteration-time-rse', 'fraction', measurement.summary.rse));
    }
    rows.push(row('iterations', 'count', measurement.summary.count));
  }
  return rows;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      smoke: { type: 'boolean', default: false },
      only: { type: 'string', multiple: true },
      impl: { type: 'string', multiple: true },
      json: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const mode: Mode = values.smoke ? 'smoke' : 'full';
  const only = splitList(values.only);
  const implementations = splitList(values.impl);
  const unknown = only?.filter((id) => !CATALOGUE.some((spec) => spec.id === id)) ?? [];
  if (unknown.length > 0) {
    console.error(`Unknown benchmark ${unknown.join(', ')}; known: ${CATALOGUE.map((s) => s.id).join(', ')}`);
    return 2;
  }
  const specs = CATALOGUE.filter((spec) => only === undefined || only.includes(spec.id));
  const work = specs.flatMap((spec) =>
    spec
      .points(mode)
      .filter((point) => implementations === undefined || implementations.includes(point.implementation))
      .map((point) => ({ spec, point })),
  );
  if (work.length === 0) {
    console.error('No data point matches the selection.');
    return 2;
  }

  console.error(`kompact-ts benchmarks (${mode}): ${work.length} points, one process each`);
  const started = performance.now();
  const reports: PointReport[] = [];
  for (const [index, { spec, point }] of work.entries()) {
    const label = `[${index + 1}/${work.length}] ${spec.id} ${point.implementation} ${formatParams(point.params)}`;
    const pointStarted = performance.now();
    const outcome = await runPoint({ point, mode });
    const report: PointReport = { spec, point, outcome, wallMs: performance.now() - pointStarted };
    reports.push(report);
    if (outcome.kind === 'failed') {
      console.error(`${label}: FAILED\n${outcome.error}`);
    } else {
      const value = headline(report);
      const { count, rse } = outcome.measurement.summary;
      const rseText = count < 2 ? '' : `, RSE ${(rse * 100).toFixed(1)} %`;
      console.error(
        `${label}: ${value === undefined ? '?' : (value / 1e6).toFixed(2)} M msgs/s (${count} it${rseText}, ${(report.wallMs / 1000).toFixed(1)} s)`,
      );
    }
  }
  const totalSeconds = (performance.now() - started) / 1000;

  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  console.log(
    `# kompact-ts benchmarks (${mode})\n\nNode ${process.version}, ${cpus().length} × ${cpu}; ` +
      `${work.length} points in ${totalSeconds.toFixed(0)} s. ` +
      (mode === 'smoke'
        ? 'Smoke: one iteration per point, completion only; the numbers are cold and not comparable.'
        : 'Value = median of the timed iterations (3 warm-ups discarded, 10–50 timed until RSE ≤ 5 %, ⚠ = target missed).'),
  );
  for (const spec of specs) console.log(`\n${table(spec, mode, reports)}`);

  if (values.json !== undefined) {
    await mkdir(dirname(values.json), { recursive: true });
    await writeFile(values.json, `${JSON.stringify(resultRows(reports), null, 2)}\n`);
    console.error(`Wrote ${values.json}`);
  }
  const failures = reports.filter((report) => report.outcome.kind === 'failed').length;
  if (failures > 0) console.error(`${failures} of ${reports.length} points failed.`);
  return failures > 0 ? 1 : 0;
}

process.exitCode = await main();
