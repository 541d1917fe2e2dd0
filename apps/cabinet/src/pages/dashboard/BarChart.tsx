import { Box, Text } from "@mantine/core";

export interface Bar {
  key: string;
  /** Under the bar (may be thinned out when there are many). */
  label: string;
  value: number;
  /** The bar's value in words, shown on hover and read by screen readers. */
  title: string;
}

const HEIGHT = 160;
const LABEL_SPACE = 18;

/**
 * Vertical bars in plain SVG, scaled to their largest value. The whole chart is one image with a summary
 * label, and each bar carries its value as a title, so the figures stay readable without the picture.
 */
export function BarChart({ bars, label, empty }: { bars: Bar[]; label: string; empty: string }) {
  const max = Math.max(0, ...bars.map((b) => b.value));
  if (max <= 0) {
    return (
      <Text size="sm" c="gray.8" py="lg" ta="center">
        {empty}
      </Text>
    );
  }
  const width = Math.max(bars.length * 24, 240);
  const slot = width / bars.length;
  const barWidth = Math.max(2, Math.min(32, slot * 0.7));
  // At most about 12 labels under the axis, so they never overlap.
  const every = Math.max(1, Math.ceil(bars.length / 12));
  return (
    <Box style={{ overflowX: "auto" }}>
      <svg
        role="img"
        aria-label={label}
        viewBox={`0 0 ${width} ${HEIGHT + LABEL_SPACE}`}
        width="100%"
        height={HEIGHT + LABEL_SPACE}
        preserveAspectRatio="none"
        style={{ display: "block", minWidth: bars.length * 8 }}
      >
        <line
          x1={0}
          x2={width}
          y1={HEIGHT}
          y2={HEIGHT}
          stroke="var(--mantine-color-gray-5)"
          strokeWidth={1}
        />
        {bars.map((bar, i) => {
          const h = bar.value <= 0 ? 0 : Math.max(1, (bar.value / max) * (HEIGHT - 8));
          const x = i * slot + (slot - barWidth) / 2;
          return (
            <g key={bar.key}>
              <rect
                x={x}
                y={HEIGHT - h}
                width={barWidth}
                height={h}
                rx={2}
                fill="var(--mantine-color-indigo-7)"
              >
                <title>{bar.title}</title>
              </rect>
              {i % every === 0 && (
                <text
                  x={x + barWidth / 2}
                  y={HEIGHT + 13}
                  textAnchor="middle"
                  fontSize={11}
                  fill="var(--mantine-color-gray-8)"
                >
                  {bar.label}
                </text>
              )}
            </g>
          );
        })}
      </svg>
    </Box>
  );
}

/** Horizontal bars with the name and value beside each: the top rules. */
export function RankedBars({
  items,
  empty,
  label,
}: {
  items: { key: string; name: string; value: number; text: string }[];
  empty: string;
  label: string;
}) {
  const max = Math.max(0, ...items.map((i) => i.value));
  if (items.length === 0 || max <= 0) {
    return (
      <Text size="sm" c="gray.8" py="lg" ta="center">
        {empty}
      </Text>
    );
  }
  return (
    <Box component="ol" aria-label={label} style={{ listStyle: "none", margin: 0, padding: 0 }}>
      {items.map((item) => (
        <Box component="li" key={item.key} mb="xs">
          <Box style={{ display: "flex", justifyContent: "space-between", gap: 8 }}>
            <Text size="sm" truncate="end" title={item.name}>
              {item.name}
            </Text>
            <Text size="sm" fw={600} style={{ whiteSpace: "nowrap" }}>
              {item.text}
            </Text>
          </Box>
          <Box
            aria-hidden
            h={8}
            mt={2}
            style={{
              width: `${Math.max(1, Math.round((item.value / max) * 100))}%`,
              background: "var(--mantine-color-indigo-7)",
              borderRadius: 2,
            }}
          />
        </Box>
      ))}
    </Box>
  );
}
