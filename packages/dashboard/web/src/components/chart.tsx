import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface ChartSeries {
  label: string;
  values: (number | null)[];
  color: string;
  kind?: 'line' | 'bars';
}

export interface ChartProps {
  title: string;
  /** x values: ms since epoch for time charts, anything else with `timeAxis: false`. */
  x: number[];
  series: ChartSeries[];
  format?: (v: number) => string;
  height?: number;
  timeAxis?: boolean;
  /** Shown instead of the plot when every value is empty or zero. */
  emptyText?: string;
}

/** A lone x value is centred in this span (s for time axes): uPlot would put it on the edge. */
const LONE_X_SPAN = { time: 3600, plain: 2 };

/**
 * Indices of values with no value either side: a line cannot be drawn through them, so they
 * are drawn as dots (a range of a single bucket would otherwise show nothing).
 */
export function isolatedPoints(values: readonly (number | null | undefined)[]): number[] {
  const has = (i: number) => values[i] !== null && values[i] !== undefined;
  const out: number[] = [];
  for (let i = 0; i < values.length; i++) if (has(i) && !has(i - 1) && !has(i + 1)) out.push(i);
  return out;
}

/**
 * A uPlot chart that follows its container's width. uPlot draws on a canvas: thousands of
 * points stay fast, and the whole library is ~50 kB, bundled (no CDN).
 */
export function Chart({
  title,
  x,
  series,
  format = (v) => String(v),
  height = 200,
  timeAxis = true,
  emptyText = 'No data in this range',
}: ChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const empty = series.every((s) => s.values.every((v) => v === null || v === 0));

  useEffect(() => {
    const el = box.current;
    if (!el || empty) return;
    const styles = getComputedStyle(el);
    const axisColor = styles.getPropertyValue('--muted').trim() || '#667085';
    const gridColor = styles.getPropertyValue('--grid').trim() || '#eef0f3';
    const axis = (values?: uPlot.Axis['values']): uPlot.Axis => ({
      stroke: axisColor,
      grid: { stroke: gridColor, width: 1 },
      ticks: { stroke: gridColor, width: 1 },
      font: '11px system-ui, sans-serif',
      ...(values ? { values } : {}),
    });
    const lone = x.length === 1 ? (timeAxis ? x[0]! / 1000 : x[0]!) : null;
    const half = (timeAxis ? LONE_X_SPAN.time : LONE_X_SPAN.plain) / 2;
    const options: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height,
      scales: {
        x: {
          time: timeAxis,
          ...(lone === null ? {} : { range: (): uPlot.Range.MinMax => [lone - half, lone + half] }),
        },
        // Bars are amounts: their height from 0 must read true, even when the empty buckets
        // are gaps (null) rather than zeros.
        ...(series.some((s) => s.kind === 'bars')
          ? {
              y: {
                range: (_u, min, max): uPlot.Range.MinMax => {
                  const [, hi] = uPlot.rangeNum(Math.min(0, min), Math.max(0, max), 0.1, true);
                  return [Math.min(0, min), hi];
                },
              },
            }
          : {}),
      },
      cursor: { drag: { x: false, y: false } },
      legend: { show: true, live: true },
      axes: [
        axis(),
        {
          ...axis((_u, splits) => splits.map((v) => (v === null ? '' : format(v)))),
          // Wide enough for the longest label ("$0.00045" is wider than "120 ms").
          size: (_u, values) =>
            Math.max(56, 16 + 7 * Math.max(0, ...(values ?? []).map((v) => String(v).length))),
        },
      ],
      series: [
        {
          value: (_u, v) =>
            v === null ? '—' : timeAxis ? new Date(v * 1000).toLocaleString() : String(v),
        },
        ...series.map((s): uPlot.Series => {
          const dots = s.kind === 'bars' ? [] : isolatedPoints(s.values);
          return {
            label: s.label,
            stroke: s.color,
            width: s.kind === 'bars' ? 0 : 2,
            fill: s.kind === 'bars' ? s.color : undefined,
            points: {
              show: false,
              size: 8,
              fill: s.color,
              filter: () => (dots.length > 0 ? dots : null),
            },
            spanGaps: false,
            value: (_u, v) => (v === null ? '—' : format(v)),
            ...(s.kind === 'bars' ? { paths: uPlot.paths.bars!({ size: [0.8, 60] }) } : {}),
          };
        }),
      ],
    };
    const data: uPlot.AlignedData = [
      timeAxis ? x.map((t) => t / 1000) : x,
      ...series.map((s) => s.values as (number | null | undefined)[]),
    ];
    const plot = new uPlot(options, data, el);
    const observer = new ResizeObserver(() => {
      plot.setSize({ width: Math.max(200, el.clientWidth), height });
    });
    observer.observe(el);
    return () => {
      observer.disconnect();
      plot.destroy();
    };
  }, [x, series, format, height, timeAxis, empty]);

  return (
    <figure class="chart">
      <figcaption class="chart-title">{title}</figcaption>
      {empty ? (
        <div class="chart-empty" style={{ height: `${height}px` }}>
          {emptyText}
        </div>
      ) : (
        <div class="chart-plot" ref={box} />
      )}
    </figure>
  );
}
