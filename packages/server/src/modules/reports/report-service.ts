/**
 * Reports for a period, as tables: what manufacturers receive the chains' uploads for (stock, sell-out
 * at full price against discounted sales), the PharmApi reconciliation report (totals per program and
 * every transaction line), and the chain's own: sales and discounts by day, store and rule, and points
 * movement. Reads the other modules' data through their index functions; writes nothing.
 *
 * A report is data only: typed columns and rows of integers (kopecks, thousandths) and text, so the
 * admin API answers it as JSON and `export.ts` turns the same tables into Excel and CSV.
 */
import { REPORT_KINDS } from "@kopilka/contract";
import { localTimeOf } from "../../core/rules/local-time.js";
import type { Database } from "../../infra/db/database.js";
import { DomainError } from "../../kernel/errors.js";
import { productNames } from "../catalog/index.js";
import { findPartnerByCode } from "../partners/index.js";
import { ledgerMovements } from "../points/index.js";
import { ruleNames } from "../programs/index.js";
import { discountSaleLines, soldPurchases } from "../purchases/index.js";
import { selloutTotals } from "../sellout/index.js";
import { stockTotals, stockUploadsIn } from "../stock/index.js";
import { findStoreId, type StoreRecord, storesByIds } from "../stores/index.js";
import { type ReportPeriod, reportPeriod } from "./period.js";

export { REPORT_KINDS };
export type ReportKind = (typeof REPORT_KINDS)[number];

/** Amounts: kopecks, thousandths of a unit, hundredths of a point; counts as integers. */
export type ColumnKind = "text" | "kopecks" | "thousandths" | "integer" | "points";

export interface ReportColumn {
  key: string;
  header: string;
  kind: ColumnKind;
}

export type ReportCell = string | number | null;

export interface ReportTable {
  name: string;
  title: string;
  columns: ReportColumn[];
  rows: Record<string, ReportCell>[];
  /** The table's bottom line: sums of its amount columns. */
  totals: Record<string, ReportCell> | null;
}

export interface Report {
  kind: ReportKind;
  title: string;
  partnerCode: string;
  period: { from: string; to: string; timezone: string };
  tables: ReportTable[];
}

export interface ReportRequest {
  partnerCode: string;
  kind: ReportKind;
  /** YYYY-MM-DD, both days included. */
  from: string;
  to: string;
  /** IANA zone of the days; default Europe/Moscow. */
  timezone?: string;
  /** Only this store (stock and sell-out). */
  storeCode?: string;
}

const col = (key: string, header: string, kind: ColumnKind = "text"): ReportColumn => ({ key, header, kind });

export class ReportService {
  constructor(private readonly database: Database) {}

  async build(request: ReportRequest): Promise<Report> {
    const partner = await findPartnerByCode(this.database.db, request.partnerCode);
    if (!partner) throw new DomainError("PARTNER_NOT_FOUND", "no such partner", { field: "partnerCode" });
    const period = reportPeriod(request.from, request.to, request.timezone);
    let storeId: number | null = null;
    if (request.storeCode !== undefined) {
      storeId = await findStoreId(this.database.db, partner.id, request.storeCode);
      if (storeId === null) {
        throw new DomainError("STORE_NOT_FOUND", `no store ${request.storeCode}`, { field: "storeCode" });
      }
    }
    const tables = await this.tablesOf(request.kind, partner.id, period, storeId);
    return {
      kind: request.kind,
      title: TITLES[request.kind],
      partnerCode: request.partnerCode,
      period: { from: period.fromDate, to: period.toDate, timezone: period.timezone },
      tables,
    };
  }

  private tablesOf(kind: ReportKind, partnerId: number, period: ReportPeriod, storeId: number | null) {
    switch (kind) {
      case "reconciliation":
        return this.reconciliation(partnerId, period, storeId);
      case "stock":
        return this.stock(partnerId, period, storeId);
      case "sellout":
        return this.sellout(partnerId, period, storeId);
      case "sales":
        return this.sales(partnerId, period, storeId);
      case "points":
        return this.points(partnerId, period, storeId);
    }
  }

  private async stores(ids: Iterable<number>): Promise<Map<number, StoreRecord>> {
    return storesByIds(this.database.db, [...ids]);
  }

  /** Totals per program and the detailed table of every discounted line, as the protocol's report. */
  private async reconciliation(partnerId: number, period: ReportPeriod, storeId: number | null) {
    const all = await discountSaleLines(this.database.db, partnerId, period.from, period.to);
    const lines = storeId === null ? all : all.filter((l) => l.storeId === storeId);
    const stores = await this.stores(lines.map((l) => l.storeId));
    const names = await productNames(
      this.database.db,
      partnerId,
      lines.flatMap((l) => (l.sku ? [l.sku] : [])),
      lines.flatMap((l) => (l.barcode ? [l.barcode] : [])),
    );
    const programs = new Map<
      number,
      Record<string, ReportCell> & { packs: number; amount: number; discount: number; total: number }
    >();
    const detail: Record<string, ReportCell>[] = [];
    for (const line of lines) {
      let program = programs.get(line.programId);
      if (!program) {
        program = {
          program: line.programCode,
          programName: line.programName,
          lines: 0,
          packs: 0,
          amount: 0,
          discount: 0,
          total: 0,
        };
        programs.set(line.programId, program);
      }
      program.lines = Number(program.lines) + 1;
      program.packs += line.quantity;
      program.amount += line.amount;
      program.discount += line.discount;
      program.total += line.total;
      const store = stores.get(line.storeId);
      const { date, time } = localDateTime(line.soldAt, store?.timezone ?? period.timezone);
      detail.push({
        date,
        time,
        storeCode: store?.code ?? null,
        storeAddress: store?.address ?? null,
        cardNumber: line.cardNumber,
        transaction: line.lineId,
        product:
          (line.sku ? names.bySku.get(line.sku) : undefined) ??
          (line.barcode ? names.byBarcode.get(line.barcode) : undefined) ??
          line.barcode ??
          line.sku,
        barcode: line.barcode ?? (line.sku ? (names.barcodeBySku.get(line.sku) ?? null) : null),
        quantity: line.quantity,
        price: line.unitPrice,
        amount: line.amount,
        discount: line.discount,
        total: line.total,
        program: line.programCode,
        purchaseId: line.purchaseId,
      });
    }
    const programRows = [...programs.values()];
    return [
      {
        name: "programs",
        title: "Итоги по программам",
        columns: [
          col("program", "Программа"),
          col("programName", "Название программы"),
          col("lines", "Строк", "integer"),
          col("packs", "Количество упаковок", "thousandths"),
          col("amount", "Сумма до скидки", "kopecks"),
          col("discount", "Сумма скидки", "kopecks"),
          col("total", "Сумма после скидки", "kopecks"),
        ],
        rows: programRows,
        totals: sums(programRows, ["lines", "packs", "amount", "discount", "total"], { program: "Итого" }),
      },
      {
        name: "lines",
        title: "Транзакции",
        columns: [
          col("date", "Дата"),
          col("time", "Время"),
          col("storeCode", "Код аптеки"),
          col("storeAddress", "Адрес аптеки"),
          col("cardNumber", "Номер карты"),
          col("transaction", "Код транзакции"),
          col("product", "Препарат"),
          col("barcode", "Штрихкод"),
          col("quantity", "Количество", "thousandths"),
          col("price", "Цена", "kopecks"),
          col("amount", "Сумма до скидки", "kopecks"),
          col("discount", "Сумма скидки", "kopecks"),
          col("total", "Сумма к оплате", "kopecks"),
          col("program", "Программа"),
          col("purchaseId", "Покупка"),
        ],
        rows: detail,
        totals: sums(detail, ["quantity", "amount", "discount", "total"], { date: "Итого" }),
      },
    ] satisfies ReportTable[];
  }

  /** Each store's stock as last uploaded, per product, and the uploads made in the period. */
  private async stock(partnerId: number, period: ReportPeriod, storeId: number | null) {
    const totals = await stockTotals(this.database.db, partnerId, storeId);
    const uploads = (await stockUploadsIn(this.database.db, partnerId, period.from, period.to)).filter(
      (u) => storeId === null || u.storeId === storeId,
    );
    const stores = await this.stores([...totals.map((t) => t.storeId), ...uploads.map((u) => u.storeId)]);
    const stockRows = totals.map((t) => {
      const store = stores.get(t.storeId);
      const at = localDateTime(t.uploadedAt, store?.timezone ?? period.timezone);
      return {
        storeCode: store?.code ?? null,
        storeAddress: store?.address ?? null,
        productCode: t.productCode,
        name: t.name,
        rows: t.rows,
        amount: t.amount,
        minPrice: t.minPrice,
        maxPrice: t.maxPrice,
        value: t.value,
        uploadedAt: `${at.date} ${at.time}`,
      };
    });
    const uploadRows = uploads.map((u) => {
      const store = stores.get(u.storeId);
      const at = localDateTime(u.uploadedAt, store?.timezone ?? period.timezone);
      return {
        date: at.date,
        time: at.time,
        storeCode: store?.code ?? null,
        source: u.source,
        rows: u.rows,
        amount: u.amount,
        value: u.value,
      };
    });
    return [
      {
        name: "stock",
        title: "Остатки",
        columns: [
          col("storeCode", "Код аптеки"),
          col("storeAddress", "Адрес аптеки"),
          col("productCode", "Штрихкод"),
          col("name", "Препарат"),
          col("rows", "Партий", "integer"),
          col("amount", "Остаток, упаковок", "thousandths"),
          col("minPrice", "Цена от", "kopecks"),
          col("maxPrice", "Цена до", "kopecks"),
          col("value", "Сумма остатка", "kopecks"),
          col("uploadedAt", "Загружено"),
        ],
        rows: stockRows,
        totals: sums(stockRows, ["rows", "amount", "value"], { storeCode: "Итого" }),
      },
      {
        name: "uploads",
        title: "Загрузки остатков за период",
        columns: [
          col("date", "Дата"),
          col("time", "Время"),
          col("storeCode", "Код аптеки"),
          col("source", "Источник"),
          col("rows", "Строк", "integer"),
          col("amount", "Упаковок", "thousandths"),
          col("value", "Сумма", "kopecks"),
        ],
        rows: uploadRows,
        totals: null,
      },
    ] satisfies ReportTable[];
  }

  /**
   * Sell-out per store and product: full-price and discounted sales as the chain reported them, beside
   * the discounted sales Kopilka confirmed (purchases of discount programs) for the same store and product.
   */
  private async sellout(partnerId: number, period: ReportPeriod, storeId: number | null) {
    const reported = (await selloutTotals(this.database.db, partnerId, period.from, period.to)).filter(
      (r) => storeId === null || r.storeId === storeId,
    );
    const confirmed = (await discountSaleLines(this.database.db, partnerId, period.from, period.to)).filter(
      (l) => storeId === null || l.storeId === storeId,
    );
    type Row = {
      storeId: number;
      productCode: string;
      name: string;
      fullPricePacks: number;
      fullPriceSum: number;
      discountedPacks: number;
      discountedAmount: number;
      discountedDiscount: number;
      discountedToPay: number;
      confirmedPacks: number;
      confirmedDiscount: number;
    };
    const rows = new Map<string, Row>();
    const rowOf = (store: number, productCode: string, name: string): Row => {
      const key = `${store}\u0000${productCode}`;
      let row = rows.get(key);
      if (!row) {
        row = {
          storeId: store,
          productCode,
          name,
          fullPricePacks: 0,
          fullPriceSum: 0,
          discountedPacks: 0,
          discountedAmount: 0,
          discountedDiscount: 0,
          discountedToPay: 0,
          confirmedPacks: 0,
          confirmedDiscount: 0,
        };
        rows.set(key, row);
      }
      return row;
    };
    for (const r of reported) {
      const row = rowOf(r.storeId, r.productCode, r.name);
      if (r.discounted) {
        row.discountedPacks += r.count;
        row.discountedAmount += r.amount;
        row.discountedDiscount += r.discount;
        row.discountedToPay += r.sumToPay;
      } else {
        row.fullPricePacks += r.count;
        row.fullPriceSum += r.sumToPay;
      }
    }
    const names = await productNames(
      this.database.db,
      partnerId,
      confirmed.flatMap((l) => (l.sku ? [l.sku] : [])),
      [],
    );
    for (const line of confirmed) {
      // The chain reports products by barcode: a line sold by SKU is matched through the catalogue's barcode.
      const code = line.barcode ?? (line.sku ? (names.barcodeBySku.get(line.sku) ?? line.sku) : "");
      const row = rowOf(line.storeId, code, (line.sku ? names.bySku.get(line.sku) : undefined) ?? code);
      row.confirmedPacks += line.quantity;
      row.confirmedDiscount += line.discount;
    }
    const stores = await this.stores([...rows.values()].map((r) => r.storeId));
    const table = [...rows.values()]
      .map((r) => {
        const store = stores.get(r.storeId);
        return {
          storeCode: store?.code ?? null,
          storeAddress: store?.address ?? null,
          productCode: r.productCode,
          name: r.name,
          fullPricePacks: r.fullPricePacks,
          fullPriceSum: r.fullPriceSum,
          discountedPacks: r.discountedPacks,
          discountedAmount: r.discountedAmount,
          discountedDiscount: r.discountedDiscount,
          discountedToPay: r.discountedToPay,
          confirmedPacks: r.confirmedPacks,
          confirmedDiscount: r.confirmedDiscount,
          packsDifference: r.discountedPacks - r.confirmedPacks,
        };
      })
      .sort(
        (a, b) =>
          String(a.storeCode).localeCompare(String(b.storeCode)) ||
          a.productCode.localeCompare(b.productCode),
      );
    return [
      {
        name: "sellout",
        title: "Продажи",
        columns: [
          col("storeCode", "Код аптеки"),
          col("storeAddress", "Адрес аптеки"),
          col("productCode", "Штрихкод"),
          col("name", "Препарат"),
          col("fullPricePacks", "Без скидки, упаковок", "thousandths"),
          col("fullPriceSum", "Без скидки, сумма", "kopecks"),
          col("discountedPacks", "Со скидкой, упаковок", "thousandths"),
          col("discountedAmount", "Со скидкой, сумма до скидки", "kopecks"),
          col("discountedDiscount", "Со скидкой, сумма скидки", "kopecks"),
          col("discountedToPay", "Со скидкой, к оплате", "kopecks"),
          col("confirmedPacks", "Подтверждено программой, упаковок", "thousandths"),
          col("confirmedDiscount", "Подтверждено программой, скидка", "kopecks"),
          col("packsDifference", "Расхождение, упаковок", "thousandths"),
        ],
        rows: table,
        totals: sums(
          table,
          [
            "fullPricePacks",
            "fullPriceSum",
            "discountedPacks",
            "discountedAmount",
            "discountedDiscount",
            "discountedToPay",
            "confirmedPacks",
            "confirmedDiscount",
            "packsDifference",
          ],
          { storeCode: "Итого" },
        ),
      },
    ] satisfies ReportTable[];
  }
  /**
   * Sales and discounts of the sold (confirmed) purchases calculated in the period: per day of the
   * period's zone, per store, and per rule (the discount and accrual each rule gave on the lines).
   */
  private async sales(partnerId: number, period: ReportPeriod, storeId: number | null) {
    const purchases = await soldPurchases(this.database.db, partnerId, period.from, period.to, storeId);
    type Figures = {
      purchases: number;
      withCard: number;
      subtotal: number;
      discount: number;
      total: number;
      refunded: number;
      pointsSpent: number;
      pointsAccrued: number;
    };
    const empty = (): Figures => ({
      purchases: 0,
      withCard: 0,
      subtotal: 0,
      discount: 0,
      total: 0,
      refunded: 0,
      pointsSpent: 0,
      pointsAccrued: 0,
    });
    const add = (f: Figures, p: (typeof purchases)[number]) => {
      f.purchases += 1;
      f.withCard += p.withCard ? 1 : 0;
      f.subtotal += p.subtotal;
      f.discount += p.discount;
      f.total += p.total;
      f.refunded += p.refunded;
      f.pointsSpent += p.pointsSpent;
      f.pointsAccrued += p.pointsAccrued;
    };
    const byDay = new Map<string, Figures>();
    const byStore = new Map<number, Figures>();
    const byRule = new Map<number, { lines: number; discount: number; accrual: number }>();
    for (const p of purchases) {
      const { date } = localDateTime(p.createdAt, period.timezone);
      add(mapGet(byDay, date, empty), p);
      add(mapGet(byStore, p.storeId, empty), p);
      for (const line of p.lines) {
        const touched = new Set<number>();
        for (const d of line.discounts ?? []) {
          const rule = mapGet(byRule, d.ruleId, () => ({ lines: 0, discount: 0, accrual: 0 }));
          rule.discount += d.amount;
          touched.add(d.ruleId);
        }
        for (const a of line.accruals ?? []) {
          const rule = mapGet(byRule, a.ruleId, () => ({ lines: 0, discount: 0, accrual: 0 }));
          rule.accrual += a.amount;
          touched.add(a.ruleId);
        }
        for (const id of touched)
          mapGet(byRule, id, () => ({ lines: 0, discount: 0, accrual: 0 })).lines += 1;
      }
    }
    const stores = await this.stores(byStore.keys());
    const rules = await ruleNames(this.database.db, [...byRule.keys()]);
    const figureColumns = [
      col("purchases", "Покупок", "integer"),
      col("withCard", "С картой", "integer"),
      col("subtotal", "Сумма до скидки", "kopecks"),
      col("discount", "Скидка", "kopecks"),
      col("total", "Сумма после скидки", "kopecks"),
      col("refunded", "Возвращено", "kopecks"),
      col("pointsSpent", "Списано баллов", "points"),
      col("pointsAccrued", "Начислено баллов", "points"),
    ];
    const figureKeys = figureColumns.map((c) => c.key);
    const dayRows = [...byDay.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([date, f]) => ({ date, ...f }));
    const storeRows = [...byStore.entries()]
      .map(([id, f]) => ({
        storeCode: stores.get(id)?.code ?? null,
        storeAddress: stores.get(id)?.address ?? null,
        ...f,
      }))
      .sort((a, b) => String(a.storeCode).localeCompare(String(b.storeCode)));
    const ruleRows = [...byRule.entries()]
      .map(([id, r]) => ({
        ruleId: id,
        ruleName: rules.get(id)?.name ?? null,
        program: rules.get(id)?.programCode ?? null,
        lines: r.lines,
        discount: r.discount,
        accrual: r.accrual,
      }))
      .sort((a, b) => b.discount - a.discount || b.accrual - a.accrual || a.ruleId - b.ruleId);
    return [
      {
        name: "days",
        title: "По дням",
        columns: [col("date", "Дата"), ...figureColumns],
        rows: dayRows,
        totals: sums(dayRows, figureKeys, { date: "Итого" }),
      },
      {
        name: "stores",
        title: "По магазинам",
        columns: [col("storeCode", "Код магазина"), col("storeAddress", "Адрес"), ...figureColumns],
        rows: storeRows,
        totals: sums(storeRows, figureKeys, { storeCode: "Итого" }),
      },
      {
        name: "rules",
        title: "По правилам",
        columns: [
          col("ruleId", "Правило", "integer"),
          col("ruleName", "Название правила"),
          col("program", "Программа"),
          col("lines", "Строк", "integer"),
          col("discount", "Скидка", "kopecks"),
          col("accrual", "Начислено баллов (до оплаты баллами)", "points"),
        ],
        rows: ruleRows,
        totals: sums(ruleRows, ["lines", "discount", "accrual"], { ruleName: "Итого" }),
      },
    ] satisfies ReportTable[];
  }

  /**
   * Points movement from the ledger: per day of the period's zone and per program, what was accrued
   * (pending or active), activated, spent, returned by refunds and cancels, reversed, expired and
   * adjusted by hand, and the net change of the active and pending balances.
   */
  private async points(partnerId: number, period: ReportPeriod, storeId: number | null) {
    const entries = await ledgerMovements(this.database.db, partnerId, period.from, period.to, storeId);
    type Movement = {
      entries: number;
      accrued: number;
      activated: number;
      spent: number;
      returned: number;
      reversed: number;
      expired: number;
      adjusted: number;
      netActive: number;
      netPending: number;
    };
    const empty = (): Movement => ({
      entries: 0,
      accrued: 0,
      activated: 0,
      spent: 0,
      returned: 0,
      reversed: 0,
      expired: 0,
      adjusted: 0,
      netActive: 0,
      netPending: 0,
    });
    const add = (m: Movement, e: (typeof entries)[number]) => {
      const delta = e.activeDelta + e.pendingDelta;
      m.entries += 1;
      if (e.kind === "accrual") m.accrued += delta;
      else if (e.kind === "activation") m.activated += e.activeDelta;
      else if (e.kind === "spend") m.spent -= delta;
      else if (e.kind === "reversal" && delta >= 0) m.returned += delta;
      else if (e.kind === "reversal") m.reversed -= delta;
      else if (e.kind === "expiry") m.expired -= delta;
      else if (e.kind === "adjustment") m.adjusted += delta;
      m.netActive += e.activeDelta;
      m.netPending += e.pendingDelta;
    };
    const byDay = new Map<string, Movement>();
    const byProgram = new Map<string, Movement>();
    for (const e of entries) {
      add(mapGet(byDay, localDateTime(e.createdAt, period.timezone).date, empty), e);
      add(mapGet(byProgram, e.programCode, empty), e);
    }
    const movementColumns = [
      col("entries", "Операций", "integer"),
      col("accrued", "Начислено", "points"),
      col("activated", "Активировано", "points"),
      col("spent", "Списано", "points"),
      col("returned", "Возвращено при возвратах и отменах", "points"),
      col("reversed", "Сторнировано начислений", "points"),
      col("expired", "Сгорело", "points"),
      col("adjusted", "Ручные корректировки", "points"),
      col("netActive", "Изменение активных", "points"),
      col("netPending", "Изменение ожидающих", "points"),
    ];
    const keys = movementColumns.map((c) => c.key);
    const dayRows = [...byDay.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([date, m]) => ({ date, ...m }));
    const programRows = [...byProgram.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([program, m]) => ({ program, ...m }));
    return [
      {
        name: "days",
        title: "По дням",
        columns: [col("date", "Дата"), ...movementColumns],
        rows: dayRows,
        totals: sums(dayRows, keys, { date: "Итого" }),
      },
      {
        name: "programs",
        title: "По программам",
        columns: [col("program", "Программа"), ...movementColumns],
        rows: programRows,
        totals: sums(programRows, keys, { program: "Итого" }),
      },
    ] satisfies ReportTable[];
  }
}

const TITLES: Record<ReportKind, string> = {
  reconciliation: "Сверка транзакций",
  stock: "Остатки",
  sellout: "Продажи (sell-out)",
  sales: "Продажи и скидки",
  points: "Движение баллов",
};

function sums(
  rows: readonly Record<string, ReportCell>[],
  keys: readonly string[],
  label: Record<string, ReportCell>,
): Record<string, ReportCell> {
  const total: Record<string, ReportCell> = { ...label };
  for (const key of keys) total[key] = rows.reduce((acc, row) => acc + Number(row[key] ?? 0), 0);
  return total;
}

function localDateTime(epochMs: number, zone: string): { date: string; time: string } {
  const local = localTimeOf(epochMs, zone);
  const pad = (n: number) => String(n).padStart(2, "0");
  const seconds = Math.floor((((epochMs % 60_000) + 60_000) % 60_000) / 1000);
  return {
    date: `${local.year}-${pad(local.month)}-${pad(local.day)}`,
    time: `${pad(Math.floor(local.minuteOfDay / 60))}:${pad(local.minuteOfDay % 60)}:${pad(seconds)}`,
  };
}

function mapGet<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = make();
    map.set(key, value);
  }
  return value;
}
