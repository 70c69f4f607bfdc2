// A small grouped bar chart in plain SVG (no chart library). Accessible: the SVG is one image with
// a title and a summary, and the same numbers are available as a real table under a disclosure.
import { useId } from "react";
import { BlockStack, InlineStack, Text } from "@shopify/polaris";

export interface BarSeries {
  name: string;
  /** A colour with at least 3:1 contrast on white (WCAG non-text contrast). */
  color: string;
  values: number[];
}

export interface BarChartProps {
  title: string;
  /** One sentence saying what the chart shows and its main figures, for screen readers. */
  summary: string;
  categories: string[];
  series: BarSeries[];
  /** Show every n-th category label (the others stay in the data table). */
  labelEvery?: number;
}

const HEIGHT = 180;
const PAD = { top: 12, right: 8, bottom: 28, left: 32 };

function niceMax(n: number): number {
  if (n <= 4) return 4;
  const magnitude = 10 ** Math.floor(Math.log10(n));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * magnitude >= n) return step * magnitude;
  return 10 * magnitude;
}

export function BarChart({ title, summary, categories, series, labelEvery = 1 }: BarChartProps) {
  const id = useId();
  const max = niceMax(Math.max(0, ...series.flatMap((s) => s.values)));
  const groupWidth = 36;
  const width = PAD.left + PAD.right + categories.length * groupWidth;
  const plotHeight = HEIGHT - PAD.top - PAD.bottom;
  const barWidth = Math.max(4, (groupWidth - 8) / series.length);
  const y = (v: number) => PAD.top + plotHeight - (v / max) * plotHeight;
  const ticks = [0, max / 2, max];

  return (
    <BlockStack gap="200">
      <InlineStack gap="400" blockAlign="center">
        {series.map((s) => (
          <InlineStack key={s.name} gap="100" blockAlign="center">
            <svg width="12" height="12" aria-hidden="true" focusable="false">
              <rect width="12" height="12" rx="2" fill={s.color} />
            </svg>
            <Text as="span" variant="bodySm">
              {s.name}
            </Text>
          </InlineStack>
        ))}
      </InlineStack>
      <svg
        role="img"
        aria-labelledby={`${id}-title ${id}-desc`}
        viewBox={`0 0 ${width} ${HEIGHT}`}
        width="100%"
        style={{ maxHeight: `${HEIGHT * 1.5}px`, display: "block" }}
        preserveAspectRatio="xMinYMid meet"
        focusable="false"
      >
        <title id={`${id}-title`}>{title}</title>
        <desc id={`${id}-desc`}>{summary}</desc>
        {ticks.map((t) => (
          <g key={t}>
            <line x1={PAD.left} x2={width - PAD.right} y1={y(t)} y2={y(t)} stroke="#e3e3e3" strokeWidth="1" />
            <text x={PAD.left - 6} y={y(t) + 4} textAnchor="end" fontSize="10" fill="#616161">
              {Number.isInteger(t) ? t : t.toFixed(1)}
            </text>
          </g>
        ))}
        {categories.map((c, ci) => {
          const x0 = PAD.left + ci * groupWidth + 4;
          return (
            <g key={c}>
              {series.map((s, si) => {
                const v = s.values[ci] ?? 0;
                const top = y(v);
                return (
                  <rect
                    key={s.name}
                    x={x0 + si * barWidth}
                    y={top}
                    width={barWidth - 1}
                    height={Math.max(0, PAD.top + plotHeight - top)}
                    fill={s.color}
                    rx="1"
                  />
                );
              })}
              {(categories.length - 1 - ci) % labelEvery === 0 ? (
                <text x={x0 + (series.length * barWidth) / 2} y={HEIGHT - 10} textAnchor="middle" fontSize="10" fill="#616161">
                  {c}
                </text>
              ) : null}
            </g>
          );
        })}
      </svg>
      <details>
        <summary style={{ cursor: "pointer" }}>
          <Text as="span" variant="bodySm">
            Show the numbers as a table
          </Text>
        </summary>
        <table style={{ borderCollapse: "collapse", marginTop: "var(--p-space-200)", fontSize: "13px" }}>
          <caption style={{ textAlign: "start", paddingBlockEnd: "4px" }}>{title}</caption>
          <thead>
            <tr>
              <th scope="col" style={{ textAlign: "start", paddingInlineEnd: "16px" }}>
                Day
              </th>
              {series.map((s) => (
                <th key={s.name} scope="col" style={{ textAlign: "end", paddingInlineEnd: "16px" }}>
                  {s.name}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {categories.map((c, ci) => (
              <tr key={c}>
                <th scope="row" style={{ textAlign: "start", fontWeight: "normal", paddingInlineEnd: "16px" }}>
                  {c}
                </th>
                {series.map((s) => (
                  <td key={s.name} style={{ textAlign: "end", paddingInlineEnd: "16px" }}>
                    {s.values[ci] ?? 0}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </BlockStack>
  );
}
