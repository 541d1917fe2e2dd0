/** A till for the tests: an SDK client, an outbox in a scratch file and a session factory. */
import { join } from "node:path";
import { KopilkaClient, type KopilkaClientOptions } from "../../src/client.js";
import { Outbox, type OutboxOptions } from "../../src/outbox.js";
import type { SaleOrder } from "../../src/receipt-machine.js";
import { ReceiptSession, type SessionConfig } from "../../src/receipt-session.js";
import { DEMO } from "./server.js";

let receiptNo = 0;

export interface Till {
  client: KopilkaClient;
  outbox: Outbox;
  session(order?: SaleOrder, config?: Partial<SessionConfig>): ReceiptSession;
}

export function till(
  base: string,
  dir: string,
  options: { client?: Partial<KopilkaClientOptions>; outbox?: OutboxOptions; outboxFile?: string } = {},
): Till {
  const client = new KopilkaClient({
    baseUrl: base,
    login: DEMO.login,
    secret: DEMO.secret,
    ...options.client,
  });
  const outbox = new Outbox(options.outboxFile ?? join(dir, `outbox-${++receiptNo}.db`), client, {
    baseDelayMs: 50,
    maxDelayMs: 500,
    ...options.outbox,
  });
  return {
    client,
    outbox,
    session(order = "print-then-confirm", config = {}) {
      return new ReceiptSession(
        client,
        outbox,
        {
          storeCode: DEMO.store,
          posCode: "POS-1",
          order,
          allowMessagesToCashier: true,
          cardGroups: [
            { name: "demo", loyaltySystem: "kopilka", programCode: "main", ranges: [DEMO.cardRange] },
          ],
          ...config,
        },
        `T${process.pid}-${Date.now().toString(36)}-${++receiptNo}`,
      );
    },
  };
}

/** Two lines of the demo catalogue (SKU-00003 ×2 at 450 ₽, SKU-00005 ×1 at 1,200 ₽). */
export function addDemoLines(session: ReceiptSession): void {
  for (const line of [
    { lineId: "1", sku: "SKU-00003", quantity: 2000, price: 45000 },
    { lineId: "2", sku: "SKU-00005", quantity: 1000, price: 120000 },
  ]) {
    const r = session.addLine(line);
    if (!r.ok) throw new Error(r.problem.message);
  }
}

/** The demo card of index i (0-based) and its opening balance, as the demo chain seeds them. */
export const demoCard = (i: number) => String(2_000_000_000_001 + i);
export const demoBalance = (i: number) => ((i * 7919) % 2001) * 100;

/** A demo card no other test of this process used, with at least 1,000 points. */
let nextIndex = 1000 + (process.pid % 97) * 50;
export function freshCard(): string {
  while (demoBalance(nextIndex) < 100_000) nextIndex++;
  return demoCard(nextIndex++);
}
