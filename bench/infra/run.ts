import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, platform, release } from 'node:os';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CATALOGUE, selectSpecs } from '../benchmarks/index.js';
import { writeCharts } from './chart.js';
import { type IterationPolicy, pooled } from './harness.js';
import { type PointOutcome, type PointRequest, RESULT_PREFIX } from './protocol.js';
import {
  type BenchmarkInfo,
  type Failure,
  formatParams,
  formatValue,
  isHigherBetter,
  type ResultRow,
  type ResultsFile,
  type RunInfo,
  unitHeader,
} from './results.js';
import { type BenchmarkSpec, isPeer, type Mode, type Point, type Row } from './spec.js';

// The benchmark runner: one fresh Node process per data point (benchmark × parameters × implementation),
// a markdown table per benchmark with ratios to its baseline (and reference) and to the best of the JS
// peers (nact, xstate, effect, comedy), all measured in the same run.
//
//   node .build/bench/infra/run.js [--smoke] [--only B1,B6] [--impl raw-loop,kompact-ts] [--json FILE] [--charts DIR]
//
// To profile one point, run its process by hand:
//   node --expose-gc --cpu-prof .build/bench/infra/point.js \
//     '{"mode":"full","point":{"benchmark":"B1","implementation":"kompact-ts","params":{"n":1000000}}}'
// B5 points fork their remote side with the same flags, so this writes one profile per process.

const USAGE = `Usage: node .build/bench/infra/run.js [options]
  --smoke            testing-size parameters, one iteration per point (CI)
  --only IDS         run only these benchmarks (comma-separated or repeated, case-insensitive), e.g.
                     --only B1 or --only B6 (B6a, B6b, B6c); known: ${CATALOGUE.map((spec) => spec.id).join(', ')}
  --impl NAMES       run only these implementations, e.g. --impl raw-loop,kompact-ts or
                     --impl kompact-ts,nact; peers: nact, xstate-transition, xstate-machine, effect, comedy
  --json FILE        also write { run, benchmarks, rows, failures }; rows are
                     { benchmark, params, implementation, metric, unit, value }
  --charts DIR       also write one SVG chart per benchmark into DIR (made from the --json data)
  --help             print this text`;

const POINT_SCRIPT = fileURLToPath(new URL('./point.js', import.meta.url));
const POINT_TIMEOUT_MS: Record<Mode, number> = { full: 240_000, smoke: 60_000 };

interface PointReport {
  readonly spec: BenchmarkSpec;
  readonly point: Point;
  readonly outcome: PointOutcome;
  readonly wallMs: number;
}

/** One table row: a row of a measured point. */
interface Entry {
  readonly spec: BenchmarkSpec;
  readonly point: Point;
  readonly row: Row;
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

/**
 * One report per point, in the order the points first ran: a point run in several processes gets
 * their measurements pooled (or the first failure, if one failed) and their wall times added.
 */
function poolProcesses(runs: readonly PointReport[]): PointReport[] {
  const byPoint = new Map<Point, PointReport[]>();
  for (const run of runs) {
    const same = byPoint.get(run.point);
    if (same === undefined) byPoint.set(run.point, [run]);
    else same.push(run);
  }
  return [...byPoint.values()].map((same) => {
    const first = same[0] as PointReport;
    const wallMs = same.reduce((total, run) => total + run.wallMs, 0);
    const failed = same.find((run) => run.outcome.kind === 'failed');
    if (failed !== undefined) return { ...failed, wallMs };
    const measurements = same.flatMap((run) =>
      run.outcome.kind === 'measured' ? [run.outcome.measurement] : [],
    );
    return { ...first, outcome: { kind: 'measured', measurement: pooled(measurements) }, wallMs };
  });
}

function entriesOf(report: PointReport): Entry[] {
  if (report.outcome.kind !== 'measured') return [];
  const { spec, point } = report;
  return spec.rows(point, report.outcome.measurement).map((row) => ({ spec, point, row }));
}

function headline(entry: Entry): number | undefined {
  const value = entry.row.metrics[0]?.value;
  return value === undefined || !Number.isFinite(value) ? undefined : value;
}

/** The rows `entry` compares with: the same benchmark and comparison key (itself included). */
function comparableWith(entry: Entry, entries: readonly Entry[]): Entry[] {
  const key = entry.spec.comparisonKey(entry.point.params);
  return entries.filter(
    (candidate) =>
      candidate.spec === entry.spec && candidate.spec.comparisonKey(candidate.point.params) === key,
  );
}

/** `entry`'s headline over that of the row labelled `label` with the same comparison key. */
function ratioTo(entry: Entry, label: string | undefined, entries: readonly Entry[]): number | undefined {
  if (label === undefined) return undefined;
  const other = comparableWith(entry, entries).find((candidate) => candidate.row.label === label);
  const value = headline(entry);
  const otherValue = other === undefined ? undefined : headline(other);
  return value === undefined || otherValue === undefined ? undefined : value / otherValue;
}

/**
 * The peer row with the best headline among those comparable with `entry`: the highest rate, or the
 * fewest bytes, microseconds, ...
 */
function bestPeer(entry: Entry, entries: readonly Entry[]): Entry | undefined {
  const unit = entry.row.metrics[0]?.unit;
  if (unit === undefined) return undefined;
  const sign = isHigherBetter(unit) ? 1 : -1;
  let best: Entry | undefined;
  let bestValue = 0;
  for (const candidate of comparableWith(entry, entries)) {
    const value = headline(candidate);
    if (!isPeer(candidate.row.label) || value === undefined) continue;
    if (best === undefined || sign * value > sign * bestValue) {
      best = candidate;
      bestValue = value;
    }
  }
  return best;
}

function timingColumns(row: Row): string[] {
  const { summary, isRseMet } = row;
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

/** The metric columns of a table: every metric of its rows, in order of first appearance. */
function metricColumns(entries: readonly Entry[]): { metric: string; unit: string }[] {
  const columns: { metric: string; unit: string }[] = [];
  for (const { row } of entries) {
    for (const { metric, unit } of row.metrics) {
      if (!columns.some((column) => column.metric === metric)) columns.push({ metric, unit });
    }
  }
  return columns;
}

function table(
  spec: BenchmarkSpec,
  mode: Mode,
  reports: readonly PointReport[],
  entries: readonly Entry[],
  isSelected: (implementation: string) => boolean,
): string {
  const own = entries.filter((entry) => entry.spec === spec);
  const [first, ...others] = metricColumns(own);
  const hasPeers = own.some((entry) => isPeer(entry.row.label));
  const inexpressible = spec.inexpressible.filter(({ implementation }) => isSelected(implementation));
  const header = [
    'implementation',
    'params',
    first === undefined ? 'value' : `${first.metric} (${unitHeader(first.unit)})`,
    ...(spec.baseline === undefined ? [] : [`vs ${spec.baseline}`]),
    ...(spec.reference === undefined ? [] : [`vs ${spec.reference}`]),
    ...(hasPeers ? ['vs best peer'] : []),
    ...others.map(({ metric, unit }) => `${metric} (${unitHeader(unit)})`),
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
  const ratioCell = (ratio: number | undefined): string =>
    ratio === undefined ? '–' : `${ratio.toFixed(2)}×`;
  const bestPeerCell = (entry: Entry): string => {
    const best = bestPeer(entry, entries);
    const ratio = best === undefined ? undefined : ratioTo(entry, best.row.label, entries);
    return ratio === undefined || best === undefined ? '–' : `${ratio.toFixed(2)}× ${best.row.label}`;
  };
  for (const report of reports.filter((candidate) => candidate.spec === spec)) {
    const { implementation, params } = report.point;
    if (report.outcome.kind === 'failed') {
      const reason = report.outcome.error.split('\n')[0] ?? 'failed';
      const cells = [implementation, formatParams(params), `FAILED: ${reason.replaceAll('|', '\\|')}`];
      while (cells.length < header.length) cells.push('');
      lines.push(`| ${cells.join(' | ')} |`);
      continue;
    }
    for (const entry of own.filter((candidate) => candidate.point === report.point)) {
      const { row } = entry;
      const cell = (column: { metric: string } | undefined): string => {
        const metric = row.metrics.find((candidate) => candidate.metric === column?.metric);
        return metric === undefined ? '–' : formatValue(metric.unit, metric.value);
      };
      const cells = [
        row.label,
        formatParams(params),
        cell(first),
        ...(spec.baseline === undefined ? [] : [ratioCell(ratioTo(entry, spec.baseline, entries))]),
        ...(spec.reference === undefined ? [] : [ratioCell(ratioTo(entry, spec.reference, entries))]),
        ...(hasPeers ? [bestPeerCell(entry)] : []),
        ...others.map(cell),
        ...timingColumns(row),
      ];
      lines.push(`| ${cells.join(' | ')} |`);
    }
  }
  for (const { implementation } of inexpressible) {
    const cells = [implementation, '–', `cannot express ${spec.id} (see the note below)`];
    while (cells.length < header.length) cells.push('');
    lines.push(`| ${cells.join(' | ')} |`);
  }
  const peerNote =
    hasPeers && first !== undefined
      ? [
          `"vs best peer" = this row’s ${first.metric} / that of the best peer row (named; the ${
            isHigherBetter(first.unit) ? 'highest' : 'lowest'
          } ${unitHeader(first.unit)}) ${
            spec.comparedBy.length === 0 ? 'of the table' : `with the same ${spec.comparedBy.join(', ')}`
          }; the ratio to each peer is in the \`--json\` rows (\`ratio-to-<peer>\`).`,
        ]
      : [];
  const notes = [
    ...inexpressible.map(
      ({ implementation, reason }) => `${implementation} cannot express ${spec.id}: ${reason}`,
    ),
    ...spec.notes(mode),
    ...peerNote,
    ...(mode === 'full' ? [iterationNote(spec, mode)] : []),
  ];
  if (notes.length > 0) lines.push('', ...notes.map((note) => `- ${note}`));
  return lines.join('\n');
}

function describePolicy(policy: IterationPolicy): string {
  if (policy.maxIterations === 1) return `one iteration${policy.warmups === 0 ? ', no warm-up' : ''}`;
  const rse = `${(policy.rseTarget * 100).toFixed(0)} %`;
  const collection =
    policy.collection === 'none'
      ? '; no forced collection between iterations (see IterationPolicy.collection and the notes)'
      : '';
  return `${policy.warmups} warm-up${policy.warmups === 1 ? '' : 's'}, then ${policy.minIterations}–${policy.maxIterations} timed until RSE ≤ ${rse} or ${(policy.maxTimedMs / 1000).toFixed(0)} s of timed iterations${collection}`;
}

/**
 * The iteration policies this benchmark's points ran under (they may depend on the parameters and on
 * whether the implementation is a peer).
 */
function iterationNote(spec: BenchmarkSpec, mode: Mode): string {
  const byPolicy = new Map<string, { params: string[]; peers: boolean; others: boolean }>();
  for (const point of spec.points(mode)) {
    const text = describePolicy(spec.policy(mode, point.params, point.implementation));
    const params = formatParams(point.params);
    const group = byPolicy.get(text) ?? { params: [], peers: false, others: false };
    byPolicy.set(text, group);
    if (!group.params.includes(params)) group.params.push(params);
    if (isPeer(point.implementation)) group.peers = true;
    else group.others = true;
  }
  if (byPolicy.size === 1) return `Iterations: ${[...byPolicy.keys()][0]}.`;
  const parts = [...byPolicy].map(([text, { params, peers, others }]) => {
    const who = peers && !others ? 'peers, ' : others && !peers ? 'kompact-ts and baselines, ' : '';
    return `${text} (${who}${params.length} parameter set${params.length === 1 ? '' : 's'}, e.g. ${params[0]})`;
  });
  return `Iterations: ${parts.join('; ')}.`;
}

function resultRows(entries: readonly Entry[]): ResultRow[] {
  const rows: ResultRow[] = [];
  for (const entry of entries) {
    const { spec, point, row: measured } = entry;
    const row = (metric: string, unit: string, value: number): void => {
      if (!Number.isFinite(value)) return;
      rows.push({
        benchmark: point.benchmark,
        params: point.params,
        implementation: measured.label,
        metric,
        unit,
        value,
      });
    };
    for (const { metric, unit, value } of measured.metrics) row(metric, unit, value);
    const peers = comparableWith(entry, entries)
      .map((candidate) => candidate.row.label)
      .filter((label) => isPeer(label) && label !== measured.label);
    for (const label of new Set([spec.baseline, spec.reference, ...peers])) {
      const ratio = ratioTo(entry, label, entries);
      if (ratio !== undefined) row(`ratio-to-${label}`, 'x', ratio);
    }
    const { summary } = measured;
    row('iteration-time-median', 'ms', summary.median);
    row('iteration-time-mean', 'ms', summary.mean);
    if (summary.count > 1) {
      row('iteration-time-ci95-low', 'ms', summary.ci95Low);
      row('iteration-time-ci95-high', 'ms', summary.ci95High);
      row('iteration-time-rse', 'fraction', summary.rse);
    }
    row('iterations', 'count', summary.count);
  }
  return rows;
}

function describeRows(entries: readonly Entry[]): string {
  return entries
    .map(({ row }) => {
      const metric = row.metrics[0];
      const value =
        metric === undefined ? '?' : `${formatValue(metric.unit, metric.value)} ${unitHeader(metric.unit)}`;
      return entries.length > 1 ? `${row.label} ${value}` : value;
    })
    .join(', ');
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      smoke: { type: 'boolean', default: false },
      only: { type: 'string', multiple: true },
      impl: { type: 'string', multiple: true },
      json: { type: 'string' },
      charts: { type: 'string' },
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
  const unknown = only?.filter((id) => selectSpecs(id).length === 0) ?? [];
  if (unknown.length > 0) {
    console.error(`Unknown benchmark ${unknown.join(', ')}; known: ${CATALOGUE.map((s) => s.id).join(', ')}`);
    return 2;
  }
  const selected = new Set(only?.flatMap(selectSpecs) ?? CATALOGUE);
  const specs = CATALOGUE.filter((spec) => selected.has(spec));
  // A point that runs in several processes runs in rounds: every point of its benchmark once, then
  // again, so the processes of one implementation are spread over the benchmark's run time.
  const work = specs.flatMap((spec) => {
    const points = spec
      .points(mode)
      .filter((point) => implementations === undefined || implementations.includes(point.implementation));
    const processesOf = (point: Point): number => spec.processes(mode, point.implementation);
    const rounds = Math.max(1, ...points.map(processesOf));
    const runs: { spec: BenchmarkSpec; point: Point; process: number; processes: number }[] = [];
    for (let round = 0; round < rounds; round++) {
      for (const point of points) {
        if (round < processesOf(point))
          runs.push({ spec, point, process: round + 1, processes: processesOf(point) });
      }
    }
    return runs;
  });
  if (work.length === 0) {
    console.error('No data point matches the selection.');
    return 2;
  }

  const startedAt = new Date();
  const pointCount = new Set(work.map(({ point }) => point)).size;
  console.error(`kompact-ts benchmarks (${mode}): ${pointCount} points in ${work.length} processes`);
  const started = performance.now();
  const runs: PointReport[] = [];
  for (const [index, { spec, point, process: processIndex, processes }] of work.entries()) {
    const of = processes > 1 ? ` (process ${processIndex}/${processes})` : '';
    const label = `[${index + 1}/${work.length}] ${spec.id} ${point.implementation} ${formatParams(point.params)}${of}`;
    const pointStarted = performance.now();
    const outcome = await runPoint({ point, mode });
    const report: PointReport = { spec, point, outcome, wallMs: performance.now() - pointStarted };
    runs.push(report);
    if (outcome.kind === 'failed') {
      console.error(`${label}: FAILED\n${outcome.error}`);
    } else {
      const { count, rse } = outcome.measurement.summary;
      const rseText = count < 2 ? '' : `, RSE ${(rse * 100).toFixed(1)} %`;
      console.error(
        `${label}: ${describeRows(entriesOf(report))} (${count} it${rseText}, ${(report.wallMs / 1000).toFixed(1)} s)`,
      );
    }
  }
  const totalSeconds = (performance.now() - started) / 1000;
  const reports = poolProcesses(runs);
  const entries = reports.flatMap(entriesOf);

  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  const run: RunInfo = {
    mode,
    node: process.version,
    machine: `${cpus().length} × ${cpu}`,
    platform: `${platform()} ${release()}`,
    date: startedAt.toISOString(),
    totalSeconds,
    points: pointCount,
  };
  console.log(
    `# kompact-ts benchmarks (${mode})\n\nNode ${run.node}, ${run.machine}, ${run.date}; ` +
      `${pointCount} points in ${totalSeconds.toFixed(0)} s. ` +
      (mode === 'smoke'
        ? 'Smoke: one iteration per point, completion only; the numbers are cold and not comparable.'
        : 'Value = median of the timed iterations (warm-ups discarded; the iterations of each benchmark are under its table; ⚠ = RSE target missed).'),
  );
  const isSelected = (implementation: string): boolean =>
    implementations === undefined || implementations.includes(implementation);
  for (const spec of specs) console.log(`\n${table(spec, mode, reports, entries, isSelected)}`);

  const failures: Failure[] = reports.flatMap((report) =>
    report.outcome.kind === 'failed'
      ? [
          {
            benchmark: report.point.benchmark,
            params: report.point.params,
            implementation: report.point.implementation,
            error: report.outcome.error,
          },
        ]
      : [],
  );
  const benchmarks: BenchmarkInfo[] = specs.map((spec) => ({
    id: spec.id,
    title: spec.title,
    baseline: spec.baseline,
    reference: spec.reference,
    chartMetrics: spec.chartMetrics,
    comparedBy: spec.comparedBy,
    inexpressible: spec.inexpressible.filter(({ implementation }) => isSelected(implementation)),
    notes: spec.notes(mode),
  }));
  const results: ResultsFile = { run, benchmarks, rows: resultRows(entries), failures };
  if (values.json !== undefined) {
    await mkdir(dirname(values.json), { recursive: true });
    await writeFile(values.json, `${JSON.stringify(results, null, 2)}\n`);
    console.error(`Wrote ${values.json}`);
  }
  if (values.charts !== undefined) {
    const written = await writeCharts(results, values.charts);
    console.error(`Wrote ${written.length} charts to ${values.charts}`);
  }
  if (failures.length > 0) console.error(`${failures.length} of ${reports.length} points failed.`);
  return failures.length > 0 ? 1 : 0;
}

process.exitCode = await main();
