/** The operator's desk in tests: clients registered through the service, hanging purchases made the POS's way. */
import type { PrintedReceipt } from "../../src/core/printed-receipt.js";
import type { RegistrationForm } from "../../src/modules/clients/index.js";
import type { PurchaseView } from "../../src/modules/purchases/index.js";
import { receipt, type SeededPartner, type TestApp } from "./harness.js";
import { principalFor } from "./services.js";

export async function registerClient(t: TestApp, p: SeededPartner, form: Omit<RegistrationForm, "consents">) {
  const outcome = await t.server.services.clients.register(await principalFor(t, p, "any"), {
    ...form,
    consents: { personalData: true },
  });
  if (!outcome.client) throw new Error("registration needed a code");
  return outcome.client;
}

export function printedFrom(view: PurchaseView, posCode = "POS-1"): PrintedReceipt {
  return {
    ...(view.rulesVersion ? { rulesVersion: view.rulesVersion } : {}),
    storeCode: view.storeCode,
    posCode,
    ...(view.cardNumber ? { cardNumber: view.cardNumber } : {}),
    lines: view.lines.map((l) => ({
      lineId: l.lineId,
      ...(l.sku ? { sku: l.sku } : {}),
      quantity: l.quantity,
      price: l.unitPrice,
      amount: l.amount,
      discount: l.discount,
      pointsPaid: l.pointsPaid,
      accrual: l.accrual,
    })),
    pointsSpent: view.totals.pointsPaid,
    pointsAccrued: view.totals.accrual,
  };
}

/**
 * A purchase left hanging the way a till leaves one: calculated (and paid with `pay` points), expired,
 * then confirmed late with a printed receipt whose first line carries one ruble more discount than the
 * server calculated. Returns that printed receipt.
 */
export async function hangingPurchase(
  t: TestApp,
  p: SeededPartner,
  purchaseId: string,
  pay = 0,
): Promise<PrintedReceipt> {
  const { purchases } = t.server.services;
  const pos = await principalFor(t, p, "any");
  let view = await purchases.calculate(pos, receipt(p, purchaseId));
  if (pay > 0) view = await purchases.bonusPayment(pos, purchaseId, pay);
  t.clock.advance(31 * 60_000);
  const printed = printedFrom(view);
  printed.lines[0] = { ...printed.lines[0]!, discount: printed.lines[0]!.discount + 100 };
  const answer = await purchases.confirm(pos, purchaseId, { receipt: printed });
  if (answer.answer.state !== "hanging") throw new Error(`expected hanging, got ${answer.answer.state}`);
  return printed;
}
