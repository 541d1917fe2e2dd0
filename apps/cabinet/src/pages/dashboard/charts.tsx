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
  type BarShapeProps,
  CartesianGrid,
  LabelList,
  Rectangle,
  ResponsiveContainer,
  Text as SvgText,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";
import { formatCount, formatRubles, formatRublesShort } from "../../lib/format.ts";

// Theme colours with at least 3:1 against white for marks and 4.5:1 for words. The two parts of a bar
// differ in hue (blue and orange stay apart for the common kinds of colour blindness) and in lightness
// (indigo 9 is 6.8:1 on white, orange 8 is 3.6:1), and a white line parts them.
const PURCHASES_COLOR = "var(--mantine-color-indigo-7)";
/** The two parts of a stacked bar, bottom first, and their colours. */
const CARD_PARTS = ["withCard", "withoutCard"] as const;
type CardPart = (typeof CARD_PARTS)[number];
const PART_COLOR: Record<CardPart, string> = {
  withCard: "var(--mantine-color-indigo-9)",
  withoutCard: "var(--mantine-color-orange-8)",
};
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
  purchasesWithCard: number;
  purchasesWithoutCard: number;
  /** Kopecks. */
  salesWithCard: number;
  /** Kopecks. */
  salesWithoutCard: number;
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

/** A colour's square in a tooltip or legend; without a colour, the room of one (a total's row). */
function Swatch({ color }: { color?: string }) {
  return <Box w={10} h={10} style={{ background: color, borderRadius: 2, flexShrink: 0 }} />;
}

function ChartTooltip({ title, rows }: { title: string; rows: { color?: string; text: string }[] }) {
  return (
    <Paper withBorder shadow="sm" px="sm" py={6} maw={320}>
      <Text size="sm" fw={600} mb={2}>
        {title}
      </Text>
      {rows.map((row) => (
        <Group key={row.text} gap={6} wrap="nowrap">
          <Swatch color={row.color} />
          <Text size="sm" fw={row.color ? undefined : 600}>
            {row.text}
          </Text>
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

const PARTS = {
  purchases: { withCard: "purchasesWithCard", withoutCard: "purchasesWithoutCard" },
  sales: { withCard: "salesWithCard", withoutCard: "salesWithoutCard" },
} as const;

/**
 * A part of a stacked bar, its outer corners rounded when it is the top of a bar above zero: the part
 * with a card when the bar has nothing without one above it, the part without a card when it has some.
 */
function stackPart(metric: Metric, part: CardPart) {
  return (props: BarShapeProps) => {
    const point = props.payload as ActivityPoint | undefined;
    const top =
      point !== undefined &&
      (part === "withoutCard" ? point[PARTS[metric].withoutCard] > 0 : point[PARTS[metric].withoutCard] <= 0);
    const value = point?.[PARTS[metric][part]] ?? 0;
    return (
      <Rectangle
        {...props}
        radius={top && value > 0 ? [3, 3, 0, 0] : 0}
        stroke="white"
        strokeWidth={value === 0 ? 0 : 1}
      />
    );
  };
}

/**
 * A card with the purchases or the sales (the reader picks) of each day or hour as bars, each split into
 * the part with a card (below) and without one (above). One measure at a time: two axes on one chart read
 * as if their lines met. The drawing is one image named by its summary: Recharts' keyboard layer is off
 * (inside an image it would be a tab stop with nothing to say), its SVG is presentation only, and the table
 * below carries every figure. The legend is drawn apart from the chart so that it never covers a bar, and
 * hidden from screen readers, which have the table's headings.
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
  const columns = {
    purchases: {
      withCard: t("dashboard.purchasesWithCardColumn"),
      withoutCard: t("dashboard.purchasesWithoutCardColumn"),
      total: t("dashboard.purchasesTotalColumn"),
    },
    sales: {
      withCard: t("dashboard.salesWithCardColumn"),
      withoutCard: t("dashboard.salesWithoutCardColumn"),
      total: t("dashboard.salesTotalColumn"),
    },
  };
  const format = metric === "purchases" ? formatCount : (kopecks: number) => formatRubles(kopecks);
  const figure = (name: string, value: number) => t("dashboard.chartFigure", { name, value: format(value) });
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
                // A day's refunds may outweigh its sales: a part below zero goes down from the axis.
                stackOffset="sign"
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
                          ...CARD_PARTS.map((part) => ({
                            color: PART_COLOR[part],
                            text: figure(columns[metric][part], point[PARTS[metric][part]]),
                          })),
                          { text: figure(columns[metric].total, point[metric]) },
                        ]}
                      />
                    ) : null;
                  }}
                />
                {CARD_PARTS.map((part) => (
                  <Bar
                    key={part}
                    dataKey={PARTS[metric][part]}
                    name={columns[metric][part]}
                    stackId="card"
                    fill={PART_COLOR[part]}
                    maxBarSize={40}
                    shape={stackPart(metric, part)}
                  />
                ))}
              </BarChart>
            </ResponsiveContainer>
          </Box>
          <Group gap="md" justify="center" mt="xs" aria-hidden="true">
            {CARD_PARTS.map((part) => ({ color: PART_COLOR[part], text: t(`dashboard.${part}`) })).map(
              (item) => (
                <Group key={item.text} gap={6} wrap="nowrap">
                  <Swatch color={item.color} />
                  <Text size="sm" c="gray.8">
                    {item.text}
                  </Text>
                </Group>
              ),
            )}
          </Group>
          <HiddenTable
            caption={title}
            head={[
              periodColumn,
              columns.purchases.withCard,
              columns.purchases.withoutCard,
              columns.purchases.total,
              columns.sales.withCard,
              columns.sales.withoutCard,
              columns.sales.total,
            ]}
            rows={points.map((p) => [
              p.title,
              formatCount(p.purchasesWithCard),
              formatCount(p.purchasesWithoutCard),
              formatCount(p.purchases),
              formatRubles(p.salesWithCard),
              formatRubles(p.salesWithoutCard),
              formatRubles(p.sales),
            ])}
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
