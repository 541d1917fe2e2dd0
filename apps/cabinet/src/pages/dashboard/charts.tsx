import {
  Box,
  Card,
  Group,
  Paper,
  SegmentedControl,
  Skeleton,
  Text,
  Title,
  useMatches,
  VisuallyHidden,
} from "@mantine/core";
import { type ReactNode, useState } from "react";
import { useTranslation } from "react-i18next";
import {
  Bar,
  BarChart,
  CartesianGrid,
  LabelList,
  ResponsiveContainer,
  Text as SvgText,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";
import { formatCount, formatRubles, formatRublesShort } from "../../lib/format.ts";

// Theme colours with at least 3:1 against white for marks and 4.5:1 for words.
const PURCHASES_COLOR = "var(--mantine-color-indigo-7)";
const SALES_COLOR = "var(--mantine-color-teal-8)";
const TEXT_COLOR = "var(--mantine-color-gray-8)";
const AXIS_COLOR = "var(--mantine-color-gray-5)";
const GRID_COLOR = "var(--mantine-color-gray-3)";
const HOVER_COLOR = "var(--mantine-color-gray-1)";
const TICK = { fill: TEXT_COLOR, fontSize: 12 };
const ACTIVITY_HEIGHT = 260;
const RULE_ROW_HEIGHT = 44;
const RULE_AXIS_HEIGHT = 32;

/** One day or one hour of the period. */
export interface ActivityPoint {
  key: string;
  /** Under the axis, short: 12.05, 09. */
  tick: string;
  /** In the tooltip and the table, in full: 12 мая 2025 г., 09:00–10:00. */
  title: string;
  purchases: number;
  /** Kopecks. */
  sales: number;
}

export interface RankedRule {
  key: string;
  name: string;
  /** Kopecks. */
  discount: number;
  lines: number;
}

function EmptyChart({ text }: { text: string }) {
  return (
    <Text size="sm" c="gray.8" py="lg" ta="center">
      {text}
    </Text>
  );
}

function ChartTooltip({ title, rows }: { title: string; rows: { color: string; text: string }[] }) {
  return (
    <Paper withBorder shadow="sm" px="sm" py={6} maw={320}>
      <Text size="sm" fw={600} mb={2}>
        {title}
      </Text>
      {rows.map((row) => (
        <Group key={row.text} gap={6} wrap="nowrap">
          <Box w={10} h={10} style={{ background: row.color, borderRadius: 2, flexShrink: 0 }} />
          <Text size="sm">{row.text}</Text>
        </Group>
      ))}
    </Paper>
  );
}

/** The figures of a chart as a table for screen readers: the picture itself is one image with a summary. */
function HiddenTable({ caption, head, rows }: { caption: string; head: string[]; rows: ReactNode[][] }) {
  return (
    <VisuallyHidden>
      <table>
        <caption>{caption}</caption>
        <thead>
          <tr>
            {head.map((h) => (
              <th key={h} scope="col">
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map(([first, ...rest], i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: the rows are the chart's, in its fixed order
            <tr key={i}>
              <th scope="row">{first}</th>
              {rest.map((cell, j) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: the columns are fixed
                <td key={j}>{cell}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </VisuallyHidden>
  );
}

type Metric = "purchases" | "sales";

/**
 * A card with the purchases or the sales (the reader picks) of each day or hour as bars. One measure at a
 * time: two axes on one chart read as if their lines met. The drawing is one image named by its summary:
 * Recharts' keyboard layer is off (inside an image it would be a tab stop with nothing to say), its SVG is
 * presentation only, and the table below carries every figure.
 */
export function ActivityCard({
  id,
  title,
  points,
  label,
  periodColumn,
  tickEvery,
  empty,
}: {
  id: string;
  title: string;
  /** Undefined while the figures load. */
  points: ActivityPoint[] | undefined;
  /** The summary a screen reader reads for the picture. */
  label: string;
  periodColumn: string;
  /** Every how many points a label goes under the axis. */
  tickEvery: number;
  empty: string;
}) {
  const { t } = useTranslation();
  const [metric, setMetric] = useState<Metric>("purchases");
  const hasPurchases = points?.some((p) => p.purchases > 0) ?? false;
  const purchasesName = t("dashboard.purchasesSeries");
  const salesName = t("dashboard.salesSeries");
  const color = metric === "purchases" ? PURCHASES_COLOR : SALES_COLOR;
  return (
    <Card withBorder padding="md" component="section" aria-labelledby={id}>
      <Group justify="space-between" mb="sm" gap="xs" mih={30}>
        <Title order={3} size="h4" id={id}>
          {title}
        </Title>
        {hasPurchases && (
          <SegmentedControl
            size="xs"
            aria-label={t("dashboard.metric")}
            value={metric}
            onChange={(value) => setMetric(value as Metric)}
            data={[
              { value: "purchases", label: purchasesName },
              { value: "sales", label: salesName },
            ]}
          />
        )}
      </Group>
      {!points ? (
        <Skeleton h={ACTIVITY_HEIGHT} />
      ) : !hasPurchases ? (
        <EmptyChart text={empty} />
      ) : (
        <>
          <Box role="img" aria-label={label} h={ACTIVITY_HEIGHT}>
            <ResponsiveContainer width="100%" height="100%">
              <BarChart
                data={points}
                margin={{ top: 8, right: 8, bottom: 0, left: 0 }}
                barCategoryGap="20%"
                accessibilityLayer={false}
                role="presentation"
              >
                <CartesianGrid vertical={false} stroke={GRID_COLOR} strokeDasharray="3 3" />
                <XAxis
                  dataKey="tick"
                  ticks={points.filter((_, i) => i % tickEvery === 0).map((p) => p.tick)}
                  interval="preserveStartEnd"
                  tick={TICK}
                  tickLine={false}
                  axisLine={{ stroke: AXIS_COLOR }}
                  tickMargin={6}
                />
                <YAxis
                  allowDecimals={false}
                  tickFormatter={metric === "purchases" ? formatCount : formatRublesShort}
                  tick={TICK}
                  tickLine={false}
                  axisLine={false}
                  width={metric === "purchases" ? 40 : 84}
                />
                <Tooltip
                  cursor={{ fill: HOVER_COLOR }}
                  content={({ active, payload }) => {
                    const point = active ? (payload?.[0]?.payload as ActivityPoint | undefined) : undefined;
                    return point ? (
                      <ChartTooltip
                        title={point.title}
                        rows={[
                          {
                            color: PURCHASES_COLOR,
                            text: t("dashboard.purchasesCount", { count: point.purchases }),
                          },
                          {
                            color: SALES_COLOR,
                            text: t("dashboard.salesAmount", { amount: formatRubles(point.sales) }),
                          },
                        ]}
                      />
                    ) : null;
                  }}
                />
                <Bar
                  dataKey={metric}
                  name={metric === "purchases" ? purchasesName : salesName}
                  fill={color}
                  maxBarSize={40}
                  radius={[3, 3, 0, 0]}
                />
              </BarChart>
            </ResponsiveContainer>
          </Box>
          <HiddenTable
            caption={title}
            head={[periodColumn, purchasesName, salesName]}
            rows={points.map((p) => [p.title, formatCount(p.purchases), formatRubles(p.sales)])}
          />
        </>
      )}
    </Card>
  );
}

/**
 * A rule's name beside its bar: wrapped to the axis' width, cut with an ellipsis after two lines (the
 * tooltip and the table have it whole). Drawn here because the axis passes only SVG attributes to its
 * ticks, and the font size must be a style for the wrapping to measure the words at the drawn size.
 */
function RuleNameTick({
  x,
  y,
  payload,
  width,
}: {
  x?: number | string;
  y?: number | string;
  payload?: { value?: unknown };
  width: number;
}) {
  return (
    <SvgText
      x={x}
      y={y}
      width={width}
      maxLines={2}
      textAnchor="end"
      verticalAnchor="middle"
      fill={TEXT_COLOR}
      style={{ fontSize: 12 }}
    >
      {String(payload?.value ?? "")}
    </SvgText>
  );
}

/** The rules by the discount they gave, largest first, as horizontal bars with the amount at the end. */
export function TopRulesChart({
  rules,
  label,
  caption,
  empty,
}: {
  rules: RankedRule[];
  label: string;
  caption: string;
  empty: string;
}) {
  const { t } = useTranslation();
  // Names get a good part of a wide card and wrap into two lines; a phone keeps room for the bars.
  const nameWidth = useMatches({ base: 108, sm: 260 });
  // Room after the longest bar for its amount.
  const amountWidth = useMatches({ base: 84, sm: 112 });
  if (!rules.some((r) => r.discount > 0)) return <EmptyChart text={empty} />;
  const discountName = t("dashboard.discountSeries");
  return (
    <>
      <Box role="img" aria-label={label} h={rules.length * RULE_ROW_HEIGHT + RULE_AXIS_HEIGHT}>
        <ResponsiveContainer width="100%" height="100%">
          <BarChart
            layout="vertical"
            data={rules}
            margin={{ top: 0, right: amountWidth, bottom: 0, left: 0 }}
            barCategoryGap="24%"
            accessibilityLayer={false}
            role="presentation"
          >
            <CartesianGrid horizontal={false} stroke={GRID_COLOR} strokeDasharray="3 3" />
            <XAxis
              type="number"
              allowDecimals={false}
              tickFormatter={formatRublesShort}
              tick={TICK}
              tickLine={false}
              axisLine={{ stroke: AXIS_COLOR }}
              tickMargin={6}
              height={RULE_AXIS_HEIGHT}
            />
            <YAxis
              type="category"
              dataKey="name"
              width={nameWidth}
              interval={0}
              tick={(props) => <RuleNameTick {...props} width={nameWidth - 12} />}
              tickLine={false}
              axisLine={{ stroke: AXIS_COLOR }}
            />
            <Tooltip
              cursor={{ fill: HOVER_COLOR }}
              content={({ active, payload }) => {
                const rule = active ? (payload?.[0]?.payload as RankedRule | undefined) : undefined;
                return rule ? (
                  <ChartTooltip
                    title={rule.name}
                    rows={[
                      {
                        color: PURCHASES_COLOR,
                        text: t("dashboard.ruleFigure", {
                          amount: formatRubles(rule.discount),
                          count: rule.lines,
                        }),
                      },
                    ]}
                  />
                ) : null;
              }}
            />
            <Bar
              dataKey="discount"
              name={discountName}
              fill={PURCHASES_COLOR}
              maxBarSize={26}
              radius={[0, 3, 3, 0]}
            >
              <LabelList
                dataKey="discount"
                position="right"
                offset={8}
                fill={TEXT_COLOR}
                fontSize={12}
                formatter={(value) => formatRubles(Number(value))}
              />
            </Bar>
          </BarChart>
        </ResponsiveContainer>
      </Box>
      <HiddenTable
        caption={caption}
        head={[t("dashboard.ruleColumn"), discountName, t("dashboard.linesColumn")]}
        rows={rules.map((r) => [r.name, formatRubles(r.discount), formatCount(r.lines)])}
      />
    </>
  );
}
