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

/**
 * Vertical bars as boxes in a flex row, scaled to their largest value (plain elements rather than a chart
 * library: three simple charts do not need one, and text never stretches with the width). The chart is one
 * image with a summary label, and each bar carries its value as a title for hover.
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
  // At most about 12 labels under the axis, so they never overlap.
  const every = Math.max(1, Math.ceil(bars.length / 12));
  return (
    <Box role="img" aria-label={label}>
      <Box
        style={{
          display: "flex",
          alignItems: "flex-end",
          height: HEIGHT,
          borderBottom: "1px solid var(--mantine-color-gray-5)",
        }}
      >
        {bars.map((bar) => (
          <Box
            key={bar.key}
            title={bar.title}
            style={{
              flex: 1,
              height: "100%",
              display: "flex",
              alignItems: "flex-end",
              justifyContent: "center",
            }}
          >
            <Box
              style={{
                width: "70%",
                maxWidth: 32,
                minWidth: 2,
                height: bar.value <= 0 ? 0 : `max(1px, ${((bar.value / max) * 95).toFixed(2)}%)`,
                background: "var(--mantine-color-indigo-7)",
                borderRadius: "2px 2px 0 0",
              }}
            />
          </Box>
        ))}
      </Box>
      <Box aria-hidden style={{ display: "flex" }}>
        {bars.map((bar, i) => (
          <Text
            key={bar.key}
            size="xs"
            c="gray.8"
            ta="center"
            style={{ flex: 1, whiteSpace: "nowrap", overflow: "visible" }}
          >
            {i % every === 0 ? bar.label : ""}
          </Text>
        ))}
      </Box>
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
