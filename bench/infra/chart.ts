import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Params } from './params.js';
import {
  type BenchmarkInfo,
  formatParams,
  formatValue,
  isHigherBetter,
  type ResultRow,
  type ResultsFile,
  type RunInfo,
  unitHeader,
} from './results.js';

// SVG charts from the `--json` results, without a browser: one file per benchmark, one panel per charted
// metric, one group of horizontal bars per parameter set, one labelled bar per implementation, and the
// machine, Node version and date in the title.
//
//   node .build/bench/infra/chart.js bench/results/latest.json bench/results/
//
// `npm run bench -- --json FILE --charts DIR` calls the same code after a run.

const WIDTH = 1040;
const MARGIN = 16;
const LABEL_WIDTH = 300;
/** The least room right of the bars for their value labels; more when a label is longer. */
const VALUE_WIDTH = 190;
/** Rough width of one character of a 12 px value label. */
const VALUE_CHAR_WIDTH = 6.8;
const BAR_HEIGHT = 16;
const BAR_GAP = 4;
const GROUP_HEADER = 20;
const GROUP_GAP = 8;
const PANEL_HEADER = 28;
const PANEL_GAP = 18;
const TITLE_HEIGHT = 58;
const FOOTNOTE_HEIGHT = 18;
const FONT = 'font-family="DejaVu Sans, Verdana, Arial, sans-serif"';

/** Fixed colours for the names that always appear; anything else gets one from its name. */
const COLOURS: Readonly<Record<string, string>> = {
  'kompact-ts': '#1f6fb5',
  'kompact-ts-ports': '#17a2a8',
  'kompact-ts-recovery': '#6f42c1',
  'kompact-ts-inspector': '#0b4f8a',
  'kompact-ts-workers': '#4a90d9',
  'kompact-ts-await': '#5b8fc7',
  'raw-loop': '#7f7f7f',
  'object-tree': '#a5a5a5',
  'set-timeout': '#8c6d31',
  'queue-microtask': '#bd9e39',
  'set-immediate': '#e7ba52',
  'raw-net-per-message': '#b0b0b0',
  'raw-net-coalesced': '#5f5f5f',
  'raw-message-port': '#8f8f8f',
  'raw-sqlite': '#4d4d4d',
  'idle-process': '#c7c7c7',
  nact: '#d62728',
  'xstate-transition': '#2ca02c',
  'xstate-machine': '#98c379',
  effect: '#ff7f0e',
  comedy: '#9467bd',
};
const SPARE_COLOURS = [
  '#d62728',
  '#2ca02c',
  '#ff7f0e',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#bcbd22',
  '#17becf',
];

function colourOf(implementation: string): string {
  const fixed = COLOURS[implementation];
  if (fixed !== undefined) return fixed;
  let hash = 0;
  for (const char of implementation) hash = (Math.imul(hash, 31) + char.charCodeAt(0)) >>> 0;
  return SPARE_COLOURS[hash % SPARE_COLOURS.length]!;
}

function escapeXml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;');
}

interface Bar {
  readonly implementation: string;
  /** The implementation, with the parameters that set this bar apart within its group. */
  readonly label: string;
  readonly value: number;
  readonly ratio: number | undefined;
}

interface Group {
  readonly label: string;
  readonly bars: readonly Bar[];
}

interface Panel {
  readonly metric: string;
  readonly unit: string;
  readonly groups: readonly Group[];
}

/** The parameters of `params` named in `names`, or all of them when `names` is `undefined`. */
function pick(params: Params, names: readonly string[] | undefined, isNamed = true): Params {
  if (names === undefined) return isNamed ? params : {};
  return Object.fromEntries(Object.entries(params).filter(([name]) => names.includes(name) === isNamed));
}

/**
 * The panels of one benchmark: for each charted metric, its bars grouped by the parameters rows are
 * compared by; a bar whose other parameters differ from its neighbours' (e.g. a peer run at a smaller
 * `n`) names them.
 */
function panelsOf(info: BenchmarkInfo, rows: readonly ResultRow[]): Panel[] {
  const own = rows.filter((row) => row.benchmark === info.id);
  const metrics = info.chartMetrics.length > 0 ? info.chartMetrics : own.slice(0, 1).map((row) => row.metric);
  const panels: Panel[] = [];
  for (const metric of metrics) {
    const measured = own.filter((row) => row.metric === metric);
    if (measured.length === 0) continue;
    const groups = new Map<string, ResultRow[]>();
    for (const row of measured) {
      const key = formatParams(pick(row.params, info.comparedBy));
      const group = groups.get(key);
      if (group === undefined) groups.set(key, [row]);
      else group.push(row);
    }
    panels.push({
      metric,
      unit: measured[0]!.unit,
      groups: [...groups].map(([label, members]) => {
        const baseline = members.find((row) => row.implementation === info.baseline);
        const rest = (row: ResultRow): string => formatParams(pick(row.params, info.comparedBy, false));
        const isUniform = members.every((row) => rest(row) === rest(members[0]!));
        return {
          label,
          bars: members.map((row) => ({
            implementation: row.implementation,
            label: isUniform ? row.implementation : `${row.implementation} (${rest(row)})`,
            value: row.value,
            ratio:
              baseline === undefined || row === baseline || baseline.value === 0
                ? undefined
                : row.value / baseline.value,
          })),
        };
      }),
    });
  }
  return panels;
}

/** Values of a panel spanning more than this factor (all positive) are drawn on a log scale. */
const LOG_SCALE_SPAN = 30;

function valuesOf(panel: Panel): number[] {
  return panel.groups.flatMap((group) => group.bars.map((bar) => bar.value));
}

function isLogScale(panel: Panel): boolean {
  const values = valuesOf(panel);
  const low = Math.min(...values);
  return low > 0 && Math.max(...values) / low > LOG_SCALE_SPAN;
}

/** Where a value's bar ends (`at`) and where bars start (`origin`), in pixels. */
function scaleOf(panel: Panel, left: number, width: number): { at(value: number): number; origin: number } {
  const values = valuesOf(panel);
  if (isLogScale(panel)) {
    // From the decade below the smallest value, so the smallest bar still shows.
    const low = Math.floor(Math.log10(Math.min(...values))) - 0.3;
    const high = Math.log10(Math.max(...values));
    const at = (value: number): number => left + ((Math.log10(value) - low) / (high - low)) * width;
    return { at, origin: left };
  }
  const low = Math.min(0, ...values);
  const span = Math.max(0, ...values) - low || 1;
  const at = (value: number): number => left + ((value - low) / span) * width;
  return { at, origin: at(0) };
}

function panelHeight(panel: Panel): number {
  let height = PANEL_HEADER;
  for (const group of panel.groups) {
    height += GROUP_HEADER + group.bars.length * (BAR_HEIGHT + BAR_GAP) + GROUP_GAP;
  }
  return height;
}

function formatDate(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** The text right of a bar: its value, and its ratio to the baseline. */
function valueLabel(panel: Panel, bar: Bar, baseline: string | undefined): string {
  const ratio =
    bar.ratio === undefined || baseline === undefined ? '' : ` (${bar.ratio.toFixed(2)}× ${baseline})`;
  return `${formatValue(panel.unit, bar.value)}${ratio}`;
}

/** Room for the longest value label of `panel` (a long baseline name must not run off the chart). */
function valueWidth(panel: Panel, baseline: string | undefined): number {
  let longest = 0;
  for (const group of panel.groups) {
    for (const bar of group.bars) longest = Math.max(longest, valueLabel(panel, bar, baseline).length);
  }
  return Math.max(VALUE_WIDTH, Math.ceil(longest * VALUE_CHAR_WIDTH) + 12);
}

function renderPanel(panel: Panel, top: number, baseline: string | undefined): string[] {
  const parts: string[] = [];
  const better = `${isHigherBetter(panel.unit) ? 'higher is better' : 'lower is better'}${
    isLogScale(panel) ? ', log scale' : ''
  }`;
  parts.push(
    `<text x="${MARGIN}" y="${top + 18}" font-size="14" font-weight="bold" ${FONT}>${escapeXml(
      `${panel.metric} (${unitHeader(panel.unit)})`,
    )}<tspan dx="8" font-weight="normal" fill="#666">— ${better}</tspan></text>`,
  );
  const plotLeft = MARGIN + LABEL_WIDTH;
  const plotWidth = WIDTH - plotLeft - valueWidth(panel, baseline) - MARGIN;
  const x = scaleOf(panel, plotLeft, plotWidth);
  const zero = x.origin;
  let y = top + PANEL_HEADER;
  for (const group of panel.groups) {
    parts.push(
      `<text x="${MARGIN}" y="${y + 14}" font-size="12" fill="#333" ${FONT}>${escapeXml(group.label || 'all rows (each at the parameters named)')}</text>`,
    );
    y += GROUP_HEADER;
    const barsTop = y;
    for (const bar of group.bars) {
      const end = x.at(bar.value);
      const left = Math.min(zero, end);
      const width = Math.max(1, Math.abs(end - zero));
      const middle = y + BAR_HEIGHT / 2 + 4;
      parts.push(
        `<text x="${plotLeft - 6}" y="${middle}" font-size="12" text-anchor="end" ${FONT}>${escapeXml(bar.label)}</text>`,
        `<rect x="${left.toFixed(1)}" y="${y}" width="${width.toFixed(1)}" height="${BAR_HEIGHT}" fill="${colourOf(bar.implementation)}"><title>${escapeXml(
          `${bar.implementation}: ${formatValue(panel.unit, bar.value)} ${unitHeader(panel.unit)}`,
        )}</title></rect>`,
      );
      parts.push(
        `<text x="${(Math.max(zero, end) + 6).toFixed(1)}" y="${middle}" font-size="12" ${FONT}>${escapeXml(
          valueLabel(panel, bar, baseline),
        )}</text>`,
      );
      y += BAR_HEIGHT + BAR_GAP;
    }
    parts.push(
      `<line x1="${zero.toFixed(1)}" y1="${barsTop - 2}" x2="${zero.toFixed(1)}" y2="${y - BAR_GAP + 2}" stroke="#333" stroke-width="1"/>`,
    );
    y += GROUP_GAP;
  }
  return parts;
}

/** One benchmark's chart as an SVG document, or `undefined` when it has no charted rows. */
export function renderChart(
  info: BenchmarkInfo,
  run: RunInfo,
  rows: readonly ResultRow[],
): string | undefined {
  const panels = panelsOf(info, rows);
  if (panels.length === 0) return undefined;
  const footnotes = (info.inexpressible ?? []).map(
    ({ implementation }) =>
      `${implementation}: cannot express ${info.id} (why: see the notes under its table)`,
  );
  const height =
    TITLE_HEIGHT +
    panels.reduce((sum, panel) => sum + panelHeight(panel) + PANEL_GAP, 0) +
    footnotes.length * FOOTNOTE_HEIGHT +
    MARGIN;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}">`,
    `<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    `<text x="${MARGIN}" y="24" font-size="17" font-weight="bold" ${FONT}>${escapeXml(`${info.id} ${info.title}`)}</text>`,
    `<text x="${MARGIN}" y="44" font-size="12" fill="#444" ${FONT}>${escapeXml(
      `${run.machine} · Node ${run.node} · ${formatDate(run.date)} · ${run.mode} run`,
    )}</text>`,
  ];
  let top = TITLE_HEIGHT;
  for (const panel of panels) {
    parts.push(...renderPanel(panel, top, info.baseline));
    top += panelHeight(panel) + PANEL_GAP;
  }
  for (const footnote of footnotes) {
    parts.push(
      `<text x="${MARGIN}" y="${top + 12}" font-size="12" fill="#444" ${FONT}>${escapeXml(footnote)}</text>`,
    );
    top += FOOTNOTE_HEIGHT;
  }
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

/** The file name of a benchmark's chart. */
export function chartFileName(id: string): string {
  return `${id.toLowerCase().replaceAll(/[^a-z0-9]+/g, '-')}.svg`;
}

/** Writes one SVG per benchmark of `results` into `directory`; returns the paths written. */
export async function writeCharts(results: ResultsFile, directory: string): Promise<string[]> {
  await mkdir(directory, { recursive: true });
  const written: string[] = [];
  for (const info of results.benchmarks) {
    const svg = renderChart(info, results.run, results.rows);
    if (svg === undefined) continue;
    const path = join(directory, chartFileName(info.id));
    await writeFile(path, svg);
    written.push(path);
  }
  return written;
}

function isResultsFile(value: unknown): value is ResultsFile {
  if (typeof value !== 'object' || value === null) return false;
  const { run, benchmarks, rows } = value as Partial<ResultsFile>;
  return typeof run === 'object' && run !== null && Array.isArray(benchmarks) && Array.isArray(rows);
}

async function main(): Promise<number> {
  const [input, directory] = process.argv.slice(2);
  if (input === undefined || directory === undefined) {
    console.error('Usage: node .build/bench/infra/chart.js RESULTS.json OUTPUT_DIR');
    return 2;
  }
  const parsed: unknown = JSON.parse(await readFile(input, 'utf8'));
  if (!isResultsFile(parsed)) {
    console.error(
      `${input} is not a results file of \`npm run bench -- --json\` ({ run, benchmarks, rows })`,
    );
    return 2;
  }
  const written = await writeCharts(parsed, directory);
  for (const path of written) console.log(path);
  return 0;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main();
}
